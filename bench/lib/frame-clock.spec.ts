import { createCanvas, loadImage } from '@napi-rs/canvas';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module of the benches, without type declarations
import { frameClock, frameClockSource, percentile } from './frame-clock.mjs';

// The glass-to-glass bench trusts these: a time painted into a frame must come back exactly, through
// scaling and a lossy codec, and a frame it cannot read must give no time rather than a wrong one.
const clock = frameClock();
const W = 640;
const H = 360;

function grey(ms: number, frameNo = 0, width = W, height = H): Uint8Array {
  const b = new Uint8Array(width * height);
  clock.paintGrey(b, width, height, ms, frameNo);
  return b;
}

/** Box-filter downscale by an integer factor, as a simulcast layer is made. */
function downscale(src: Uint8Array, width: number, height: number, f: number): Uint8Array {
  const w = width / f;
  const h = height / f;
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let dy = 0; dy < f; dy++) for (let dx = 0; dx < f; dx++) s += src[(y * f + dy) * width + x * f + dx];
      out[y * w + x] = Math.round(s / (f * f));
    }
  return out;
}

describe('frame clock barcode', () => {
  it('carries a time to a tenth of a millisecond, and back', () => {
    for (const ms of [0, 1, 1_780_000_000_000.3, Date.now(), 2 ** 48 / 10 - 0.1]) {
      const bits = clock.encode(ms);
      expect(bits).toHaveLength(64);
      expect(clock.decode(bits)).toBeCloseTo(ms, 5);
    }
  });

  it('refuses every single-cell and two-cell misread instead of returning a wrong time', () => {
    const bits = clock.encode(1_780_123_456_789.5);
    for (let i = 0; i < 64; i++) {
      const one = [...bits];
      one[i] = !one[i];
      expect(clock.decode(one)).toBeNull();
      for (let j = i + 1; j < 64; j += 7) {
        const two = [...one];
        two[j] = !two[j];
        expect(clock.decode(two)).toBeNull();
      }
    }
    expect(clock.decode(bits.slice(1))).toBeNull();
  });

  it('reads a painted grey frame, and the same frame scaled down four times (the smallest simulcast layer)', () => {
    const ms = 1_780_000_123_456.7;
    const full = grey(ms, 17);
    expect(clock.read(full, W, H, 1)).toBeCloseTo(ms, 5);
    expect(clock.read(downscale(full, W, H, 4), W / 4, H / 4, 1)).toBeCloseTo(ms, 5);
  });

  it('reads through noise of ±60 grey levels', () => {
    const ms = 1_780_000_999_000.1;
    const b = grey(ms);
    let seed = 7;
    for (let i = 0; i < b.length; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      b[i] = Math.max(0, Math.min(255, b[i] + ((seed % 121) - 60)));
    }
    expect(clock.read(b, W, H, 1)).toBeCloseTo(ms, 5);
  });

  it('never reads a third time off a frame torn between two', () => {
    const a = 1_780_000_000_000;
    for (let step = 1; step < 200; step++) {
      const b = a + step * 33.3;
      const fa = grey(a);
      const fb = grey(b);
      for (const tearRow of [45, 90, 135]) {
        const torn = new Uint8Array(fa);
        torn.set(fb.subarray(tearRow * W), tearRow * W);
        const got = clock.read(torn, W, H, 1);
        if (got !== null) expect([a, b].some((t) => Math.abs(t - got) < 1e-6)).toBe(true);
      }
    }
  });

  it('reads the canvas painting after a lossy JPEG round trip, run from its source as a page runs it', async () => {
    // The pages get the code as text; this runs that text, not the module's function object.
    const pageClock = new Function(`return (${frameClockSource})();`)();
    const ms = 1_780_000_555_555.5;
    const canvas = createCanvas(W, H);
    const ctx = canvas.getContext('2d');
    pageClock.paintCanvas(ctx, W, H, ms, 42);
    const jpeg = await canvas.encode('jpeg', 30);
    const back = createCanvas(W / 2, H / 2);
    const bctx = back.getContext('2d');
    bctx.drawImage(await loadImage(jpeg), 0, 0, W / 2, H / 2);
    const data = bctx.getImageData(0, 0, W / 2, H / 2).data;
    expect(pageClock.read(data, W / 2, H / 2, 4)).toBeCloseTo(ms, 5);
  });

  it('gives nothing for a blank frame', () => {
    expect(clock.read(new Uint8Array(W * H), W, H, 1)).toBeNull();
    expect(clock.read(new Uint8Array(W * H).fill(255), W, H, 1)).toBeNull();
  });

  it('percentile is nearest rank', () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3);
    expect(
      percentile(
        [...Array(100).keys()].map((i) => i + 1),
        95,
      ),
    ).toBe(95);
  });
});
