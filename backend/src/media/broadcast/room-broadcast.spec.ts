import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeLauncher } from '../../recording/capture/ffmpeg-process';
import { waitFor } from '../../testing/wait-for';
import { routerCodecs } from '../domain/codecs';
import type { StageProducer } from '../domain/broadcast-scene';
import { mediaTestsOptedOut, requireWorker } from '../testing/worker-check';
import { type BroadcastStage, RoomBroadcast } from './room-broadcast';

const run = promisify(execFile);

/**
 * The live broadcast from a real mediasoup router: producers fed by FFmpeg's test sources over RTP (VP8
 * and Opus, as browsers send), taken through PlainTransports into the broadcast's FFmpeg, written as
 * HLS. The stage is built here from that router instead of a class's room (the room's adapter,
 * room-stage.ts, is exercised by the browser test).
 */
describe.skipIf(mediaTestsOptedOut())('live broadcast: producers to HLS with a real worker and FFmpeg', () => {
  let worker: types.Worker;
  let router: types.Router;
  let dir: string;
  const senders: ChildProcess[] = [];
  const producers: Array<StageProducer & { producer: types.Producer; router: types.Router }> = [];
  const listeners = new Set<() => void>();
  const stage: BroadcastStage = {
    producers: () => producers.filter((p) => !p.producer.closed),
    activeSpeakerUserId: () => 'teacher',
    onChange: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };

  beforeAll(async () => {
    requireWorker();
    worker = await mediasoup.createWorker({
      logLevel: 'error',
      ...(process.env.MEDIASOUP_WORKER_BIN ? { workerBin: process.env.MEDIASOUP_WORKER_BIN } : {}),
    });
    router = await worker.createRouter({ mediaCodecs: routerCodecs as types.RouterRtpCodecCapability[] });
    dir = await mkdtemp(path.join(os.tmpdir(), 'lectern-broadcast-'));
  });
  afterAll(async () => {
    for (const s of senders) s.kill('SIGKILL');
    worker?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** A producer on the router, fed by FFmpeg sending a test source over RTP (as a browser's track would be). */
  async function produce(kind: 'audio' | 'video', source: StageProducer['source'], ssrc: number, size = '640x360') {
    const transport = await router.createPlainTransport({
      listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
      rtcpMux: false,
      comedia: true,
    });
    const pt = kind === 'audio' ? 100 : 101;
    const producer = await transport.produce({
      kind,
      rtpParameters:
        kind === 'audio'
          ? {
              codecs: [{ mimeType: 'audio/opus', payloadType: pt, clockRate: 48000, channels: 2 }],
              encodings: [{ ssrc }],
            }
          : { codecs: [{ mimeType: 'video/VP8', payloadType: pt, clockRate: 90000 }], encodings: [{ ssrc }] },
    });
    const input =
      kind === 'audio'
        ? ['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000']
        : ['-f', 'lavfi', '-i', `testsrc=size=${size}:rate=15`];
    const codec =
      kind === 'audio'
        ? ['-c:a', 'libopus', '-ac', '2', '-b:a', '32k']
        : ['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '400k', '-g', '15'];
    const p = spawn(
      'ffmpeg',
      [
        '-hide_banner',
        '-loglevel',
        'error',
        '-re',
        ...input,
        ...codec,
        '-f',
        'rtp',
        '-ssrc',
        String(ssrc),
        '-payload_type',
        String(pt),
        `rtp://127.0.0.1:${transport.tuple.localPort}?rtcpport=${transport.rtcpTuple!.localPort}`,
      ],
      { stdio: 'ignore' },
    );
    senders.push(p);
    producers.push({ id: producer.id, userId: 'teacher', canTeach: true, source, paused: false, producer, router });
    for (const l of listeners) l();
    return producer;
  }

  const livePlaylist = () => readFile(path.join(dir, 'class', 'live.m3u8'), 'utf8').catch(() => '');

  it('writes H.264 + AAC fMP4 HLS with one-second segments, and a new run after a discontinuity when a screen share starts', async () => {
    await produce('audio', 'mic', 1111);
    await produce('video', 'camera', 2222);
    const launcher = await writeLauncher(dir, 'ffmpeg', { niceness: 0, name: 'broadcast-ffmpeg' });
    const broadcast = new RoomBroadcast(stage, {
      folder: path.join(dir, 'class'),
      launcher,
      segmentSeconds: 1,
      warn: (m) => console.warn(m),
    });
    try {
      await waitFor(async () => (await livePlaylist()).split('#EXTINF').length > 3, 'three segments listed', 40_000);
      const first = await livePlaylist();
      expect(first).toContain('#EXT-X-MAP:URI="r1/init.mp4"');
      expect(first).not.toContain('#EXT-X-DISCONTINUITY\n');
      const durations = [...first.matchAll(/#EXTINF:([\d.]+),/g)].map((m) => Number(m[1]));
      for (const d of durations) expect(d).toBeLessThan(1.6);
      // What a player fetches: the init segment and a media segment decode as H.264 and AAC.
      const segment = /r1\/(seg-\d+\.m4s)/.exec(first)![1];
      const joined = path.join(dir, 'joined.mp4');
      const parts = await Promise.all([
        readFile(path.join(dir, 'class', 'r1', 'init.mp4')),
        readFile(path.join(dir, 'class', 'r1', segment)),
      ]);
      await import('node:fs/promises').then((fs) => fs.writeFile(joined, Buffer.concat(parts)));
      const { stdout } = await run('ffprobe', [
        '-v',
        'error',
        '-show_entries',
        'stream=codec_name,width',
        '-of',
        'csv=p=0',
        joined,
      ]);
      expect(stdout.split('\n').filter(Boolean).sort()).toEqual(['aac', 'h264,640']);

      // A screen share starts: after the settle time a second run, after a discontinuity, with the screen's size.
      await produce('video', 'screen', 3333, '1280x720');
      await waitFor(async () => (await livePlaylist()).includes('r2/seg-'), 'segments of the second run', 40_000);
      const second = await livePlaylist();
      expect(second).toContain('#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI="r2/init.mp4"');
      expect(broadcast.currentScene).toEqual({ audio: producers[0].id, video: producers[2].id });
      const sequence = (text: string) => Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(text)![1]);
      await waitFor(async () => sequence(await livePlaylist()) > sequence(second), 'the playlist sliding', 20_000);
      const { stdout: screen } = await run('ffprobe', [
        '-v',
        'error',
        '-select_streams',
        'v',
        '-show_entries',
        'stream=width',
        '-of',
        'csv=p=0',
        path.join(dir, 'class', 'r2', 'init.mp4'),
      ]);
      expect(screen.trim()).toBe('1280');
    } finally {
      await broadcast.close();
    }
    // Closed: its FFmpeg gone and its files removed.
    expect(await livePlaylist()).toBe('');
  }, 150_000);

  it('keeps the same run through a mute: segments go on while the voice is paused and after it resumes', async () => {
    // The producers of the test above are still sending: the scene is its mic and its screen share.
    const mic = producers.find((p) => p.source === 'mic')!;
    const launcher = await writeLauncher(dir, 'ffmpeg', { niceness: 0, name: 'broadcast-ffmpeg' });
    const broadcast = new RoomBroadcast(stage, {
      folder: path.join(dir, 'muted'),
      launcher,
      segmentSeconds: 1,
      warn: (m) => console.warn(m),
    });
    const segmentsAfter = async (count: number, what: string) =>
      waitFor(async () => broadcast.published >= count, what, 40_000);
    try {
      await segmentsAfter(2, 'the first segments');
      const scene = broadcast.currentScene;
      expect(scene?.audio).toBe(mic.id);
      // The instructor mutes: the producer is paused (no packets reach FFmpeg) and the stage says so.
      await mic.producer.pause();
      mic.paused = true;
      for (const l of listeners) l();
      const atMute = broadcast.published;
      // Three more one-second segments while muted: longer than the 1.5 s a scene change would take to settle.
      await segmentsAfter(atMute + 3, 'segments while the voice is muted');
      expect(broadcast.runCount).toBe(1);
      expect(broadcast.currentScene).toEqual(scene);
      await mic.producer.resume();
      mic.paused = false;
      for (const l of listeners) l();
      const atUnmute = broadcast.published;
      await segmentsAfter(atUnmute + 3, 'segments after the unmute');
      expect(broadcast.runCount).toBe(1);
      const text = await readFile(path.join(dir, 'muted', 'live.m3u8'), 'utf8');
      expect(text).not.toContain('#EXT-X-DISCONTINUITY\n');
      expect(text).not.toContain('r2/');
      // The muted stretch is silence in the audio track, not a hole (a hole in MSE's buffered range would
      // make hls.js jump over it, picture included): the run's AAC packets follow each other without a gap.
      const r1 = path.join(dir, 'muted', 'r1');
      const names = [...text.matchAll(/r1\/(seg-\d+\.m4s)/g)].map((m) => m[1]);
      const joined = path.join(dir, 'muted-joined.mp4');
      const fs = await import('node:fs/promises');
      const parts = [await readFile(path.join(r1, 'init.mp4'))];
      for (const n of names) parts.push(await readFile(path.join(r1, n)));
      await fs.writeFile(joined, Buffer.concat(parts));
      const { stdout: packets } = await run('ffprobe', [
        '-v',
        'error',
        '-select_streams',
        'a',
        '-show_entries',
        'packet=pts_time',
        '-of',
        'csv=p=0',
        joined,
      ]);
      const times = packets.split('\n').filter(Boolean).map(Number);
      expect(times.length).toBeGreaterThan(100);
      const gaps = times.slice(1).map((t, i) => t - times[i]);
      expect(Math.max(...gaps)).toBeLessThan(0.1);
    } finally {
      await broadcast.close();
    }
  }, 120_000);
});
