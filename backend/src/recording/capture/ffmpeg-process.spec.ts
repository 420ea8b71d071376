import dgram from 'node:dgram';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../testing/wait-for';
import { captureArgs, SEGMENT_LIST } from '../domain/capture-args';
import { FfmpegProcess, writeLauncher } from './ffmpeg-process';
import { freePortPair, udpPortTaken } from './udp-ports';

/** An SDP for one Opus stream on a loopback port, as the capture writes for a producer. */
const sdpFor = (port: number) =>
  [
    'v=0',
    'o=- 0 0 IN IP4 127.0.0.1',
    's=silent',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=audio ${port} RTP/AVP 111`,
    'a=rtpmap:111 opus/48000/2',
    '',
  ].join('\r\n');

/**
 * Sends Opus RTP packets (one 20 ms silent frame each, paced at 20 ms) to the port until `stop()`; after
 * that, nothing ever again.
 */
function startRtp(port: number): { stop: () => Promise<void> } {
  const socket = dgram.createSocket('udp4');
  let seq = 0;
  const timer = setInterval(() => {
    const packet = Buffer.alloc(15);
    packet[0] = 0x80;
    packet[1] = 111;
    packet.writeUInt16BE(seq & 0xffff, 2);
    packet.writeUInt32BE((seq * 960) >>> 0, 4);
    packet.writeUInt32BE(0x1234, 8);
    packet.set([0xfc, 0xff, 0xfe], 12); // an Opus DTX/silence frame
    seq++;
    socket.send(packet, port, '127.0.0.1');
  }, 20);
  return {
    stop: () => {
      clearInterval(timer);
      return new Promise<void>((resolve) => socket.close(() => resolve()));
    },
  };
}

/** Gone and reaped: a process not waited for stays in /proc as a zombie (state Z). */
function reaped(pid: number): boolean {
  if (!existsSync(`/proc/${pid}`)) return true;
  const state = /^State:\s+(\S)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  throw new Error(`pid ${pid} is still in /proc (state ${state})`);
}

/**
 * Stopping a capture's FFmpeg (the same FfmpegProcess the recording capture and the live broadcast use),
 * with a real FFmpeg started through the real launcher, reading a real RTP stream over loopback.
 */
describe('FfmpegProcess.stop: SIGTERM, then SIGKILL after the grace period, and the process reaped', () => {
  let dir: string;
  let launcher: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'lectern-ffmpeg-stop-'));
    launcher = await writeLauncher(dir, 'ffmpeg');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const start = async (name: string) => {
    const port = await freePortPair();
    const sdpPath = path.join(dir, `${name}.sdp`);
    await writeFile(sdpPath, sdpFor(port));
    const folder = path.join(dir, name);
    await mkdir(folder, { recursive: true });
    const proc = new FfmpegProcess(launcher, captureArgs({ sdpPath, folder, segmentSeconds: 1 }));
    return { proc, port, folder };
  };

  it('an FFmpeg whose RTP input went silent ignores SIGTERM; stop() kills it once the grace period is over', async () => {
    const GRACE_MS = 1500;
    const { proc, port, folder } = await start('went-silent');
    expect(await udpPortTaken(port, '127.0.0.1', 20_000)).toBe(true);
    const rtp = startRtp(port);
    try {
      // FFmpeg past its start, muxing: the first one-second segment closed and listed.
      await waitFor(
        () => readFileSync(path.join(folder, SEGMENT_LIST), 'utf8').includes('seg-00000'),
        'a first segment listed',
        20_000,
      );
    } finally {
      // The input goes silent now, just before the stop: FFmpeg's own timeout on a silent input (~10 s) is far off.
      await rtp.stop();
    }
    expect(proc.running).toBe(true);
    const pid = proc.pid!;
    expect(pid).toBeGreaterThan(0);

    const t0 = performance.now();
    const exit = await proc.stop(GRACE_MS);
    const elapsed = performance.now() - t0;
    // SIGTERM alone did not do it (FFmpeg waits in its read for a packet that never comes): it took the SIGKILL.
    expect(exit).toMatchObject({ requested: true, signal: 'SIGKILL' });
    expect(elapsed).toBeGreaterThanOrEqual(GRACE_MS - 20);
    // A SIGKILLed process exits at once; the margin is only for a loaded machine scheduling the exit.
    expect(elapsed).toBeLessThan(GRACE_MS + 3000);
    expect(proc.running).toBe(false);
    expect(reaped(pid)).toBe(true);
    console.log(`silent RTP input: stopped after ${Math.round(elapsed)} ms (grace ${GRACE_MS} ms), by ${exit.signal}`);
  }, 60_000);

  it('a stop asked before fluent-ffmpeg has spawned FFmpeg reaches FFmpeg when it spawns; nothing is left running', async () => {
    const { proc } = await start('stopped-early');
    expect(proc.pid).toBeNull(); // fluent-ffmpeg reads FFmpeg's capabilities first: not spawned yet
    const t0 = performance.now();
    const exit = await proc.stop(1000);
    const elapsed = performance.now() - t0;
    expect(exit.requested).toBe(true);
    expect(proc.running).toBe(false);
    // Never sent anything: left alone, this FFmpeg would wait ~20 s for its input before timing out.
    expect(elapsed).toBeLessThan(1000 + 3000);
    if (proc.pid !== null) expect(reaped(proc.pid)).toBe(true);
  }, 60_000);

  it('stop() is idempotent: a second call returns the same exit without signalling anything', async () => {
    const { proc, port } = await start('twice');
    expect(await udpPortTaken(port, '127.0.0.1', 20_000)).toBe(true);
    const [first, second] = await Promise.all([proc.stop(1000), proc.stop(1000)]);
    expect(second).toBe(first);
    expect(await proc.stop(1000)).toBe(first);
    expect(reaped(proc.pid!)).toBe(true);
  }, 60_000);
});
