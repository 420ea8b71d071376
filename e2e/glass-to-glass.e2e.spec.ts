import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { mediaTestsOptedOut, requireWorker } from '../backend/src/media/testing/worker-check';

const run = promisify(execFile);
const root = path.resolve(__dirname, '..');

interface PathFigures {
  frames: number;
  unreadFrames: number;
  p50Ms: number;
  p95Ms: number;
}

/**
 * The glass-to-glass bench, run once briefly (60 frames a path): WebRTC through the room, and Lectern's
 * HLS broadcast to a learner the hand-off sent there. Both yield latencies read off decoded frames that
 * are plausible (medians above zero, below 10 s), the WebRTC one under the 200 ms target and below the
 * HLS one, and the reader takes the clock off almost every frame it is shown. The figures are not
 * asserted beyond that: the machine is shared (bench/results/glass-to-glass.json has a full run).
 */
describe.skipIf(mediaTestsOptedOut())('glass-to-glass bench harness', () => {
  it('measures both paths', { timeout: 300_000 }, async () => {
    requireWorker();
    const { stdout } = await run(
      process.execPath,
      [path.join(root, 'bench/glass-to-glass.mjs'), '--frames', '60', '--paths', 'webrtc,hls-lectern', '--no-write'],
      { cwd: root, env: process.env, timeout: 280_000, maxBuffer: 8 << 20 },
    );
    const figures = JSON.parse(stdout) as {
      webrtc: { viaSfu: PathFigures; localPreview: PathFigures };
      hlsLectern: PathFigures;
    };
    for (const f of [figures.webrtc.viaSfu, figures.hlsLectern]) {
      expect(f.frames).toBe(60);
      expect(f.unreadFrames).toBeLessThan(f.frames / 10);
      expect(f.p50Ms).toBeGreaterThan(0);
      // Medians: at a load average of 30 the bench's own HLS pipeline once had a p95 of 8.4 s.
      expect(f.p50Ms).toBeLessThan(10_000);
      expect(f.p50Ms).toBeLessThanOrEqual(f.p95Ms);
    }
    expect(figures.webrtc.viaSfu.p50Ms).toBeLessThan(200);
    expect(figures.hlsLectern.p50Ms).toBeGreaterThan(figures.webrtc.viaSfu.p50Ms);
    expect(figures.webrtc.localPreview.frames).toBe(60);
  });
});
