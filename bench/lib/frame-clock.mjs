// A clock painted into video frames, for glass-to-glass latency: the sender paints the time it draws a
// frame (milliseconds on this machine's clock, to a tenth) as a barcode of 64 black or white cells, and
// the receiver reads it back off the decoded frame it shows. 48 cells carry the time, 16 a CRC-16 of it,
// so a frame caught mid-change, blurred by the encoder or scaled by simulcast is refused, not misread.
//
// The barcode fills the top half of the frame in a 16 x 4 grid (40 x 45 px cells at 640 x 360, still
// 10 x 11 px in a 160 x 90 simulcast layer); the bottom half moves so the encoder has a picture to work
// on, as with a camera. The reader samples the middle of each cell only, so edges smeared by the codec
// do not count.
//
// Everything lives inside `frameClock()` with no outside reference, so pages get the very same code:
// `(${frameClockSource})()` in an init script (the bench's Chromium pages use it that way).

export function frameClock() {
  const COLS = 16;
  const ROWS = 4;
  const VALUE_BITS = 48;
  const CRC_BITS = 16;
  const BARCODE_SHARE = 0.5; // of the frame's height, from the top
  const TICKS_PER_MS = 10;
  const TWO_48 = 2 ** 48;

  /** CRC-16/CCITT-FALSE of the value's six bytes, big-endian. */
  function crc16(value) {
    let crc = 0xffff;
    for (let i = 5; i >= 0; i--) {
      const byte = Math.floor(value / 2 ** (8 * i)) % 256;
      crc ^= byte << 8;
      for (let b = 0; b < 8; b++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    }
    return crc;
  }

  /** The 64 cells of a time in milliseconds: true is white. Value bits first, least significant first. */
  function encode(ms) {
    if (!Number.isFinite(ms) || ms < 0) throw new Error(`frame clock: cannot encode ${ms}`);
    const value = Math.round(ms * TICKS_PER_MS) % TWO_48;
    const crc = crc16(value);
    const bits = [];
    for (let i = 0; i < VALUE_BITS; i++) bits.push(Math.floor(value / 2 ** i) % 2 === 1);
    for (let i = 0; i < CRC_BITS; i++) bits.push(((crc >> i) & 1) === 1);
    return bits;
  }

  /** The time the cells carry, or null when their CRC does not match (a torn or smeared frame). */
  function decode(bits) {
    if (!bits || bits.length !== VALUE_BITS + CRC_BITS) return null;
    let value = 0;
    for (let i = 0; i < VALUE_BITS; i++) if (bits[i]) value += 2 ** i;
    let crc = 0;
    for (let i = 0; i < CRC_BITS; i++) if (bits[VALUE_BITS + i]) crc |= 1 << i;
    return crc16(value) === crc ? value / TICKS_PER_MS : null;
  }

  /** Cell rectangles of a width x height frame, in bit order. */
  function cells(width, height) {
    const top = Math.floor(height * BARCODE_SHARE);
    const out = [];
    for (let r = 0; r < ROWS; r++)
      for (let c = 0; c < COLS; c++) {
        const x0 = Math.round((c * width) / COLS);
        const x1 = Math.round(((c + 1) * width) / COLS);
        const y0 = Math.round((r * top) / ROWS);
        const y1 = Math.round(((r + 1) * top) / ROWS);
        out.push({ x: x0, y: y0, w: x1 - x0, h: y1 - y0 });
      }
    return out;
  }

  /** Paints a frame into an 8-bit grey buffer (one byte a pixel): the barcode, and a moving bar below. */
  function paintGrey(buffer, width, height, ms, frameNo = 0) {
    const bits = encode(ms);
    const rects = cells(width, height);
    for (let i = 0; i < rects.length; i++) {
      const { x, y, w, h } = rects[i];
      const v = bits[i] ? 255 : 0;
      for (let yy = y; yy < y + h; yy++) buffer.fill(v, yy * width + x, yy * width + x + w);
    }
    const top = Math.floor(height * BARCODE_SHARE);
    const bar = Math.floor(width / 8);
    const at = (frameNo * 7) % (width - bar);
    for (let yy = top; yy < height; yy++) {
      const row = yy * width;
      buffer.fill(40 + ((yy * 3 + frameNo) % 60), row, row + width);
      buffer.fill(220, row + at, row + at + bar);
    }
  }

  /** Paints a frame on a 2D canvas context: the barcode, and a moving bar below. */
  function paintCanvas(ctx, width, height, ms, frameNo = 0) {
    const bits = encode(ms);
    const rects = cells(width, height);
    for (let i = 0; i < rects.length; i++) {
      ctx.fillStyle = bits[i] ? '#fff' : '#000';
      ctx.fillRect(rects[i].x, rects[i].y, rects[i].w, rects[i].h);
    }
    const top = Math.floor(height * BARCODE_SHARE);
    ctx.fillStyle = `hsl(${(frameNo * 5) % 360} 40% 35%)`;
    ctx.fillRect(0, top, width, height - top);
    ctx.fillStyle = '#ddd';
    const bar = Math.floor(width / 8);
    ctx.fillRect((frameNo * 7) % (width - bar), top, bar, height - top);
  }

  /**
   * Reads the time off a frame's pixels (`channels` bytes a pixel: 4 for a canvas's RGBA ImageData, 1 for
   * grey). Each cell's middle half is averaged (a 3 x 3 grid of samples) and compared with mid-grey.
   */
  function read(pixels, width, height, channels = 4) {
    const bits = [];
    for (const { x, y, w, h } of cells(width, height)) {
      let sum = 0;
      for (let sy = 0; sy < 3; sy++)
        for (let sx = 0; sx < 3; sx++) {
          const px = Math.floor(x + w * (0.25 + sx * 0.25));
          const py = Math.floor(y + h * (0.25 + sy * 0.25));
          const o = (py * width + px) * channels;
          sum += channels >= 3 ? (pixels[o] * 299 + pixels[o + 1] * 587 + pixels[o + 2] * 114) / 1000 : pixels[o];
        }
      bits.push(sum / 9 >= 128);
    }
    return decode(bits);
  }

  return { encode, decode, cells, paintGrey, paintCanvas, read, crc16 };
}

/** The source of `frameClock`, to run the same code in a page: `const clock = (${frameClockSource})();`. */
export const frameClockSource = frameClock.toString();

/** p-th percentile (nearest rank) of numbers, rounded to a tenth; null for none. */
export function percentile(xs, p) {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return +s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))].toFixed(1);
}
