import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { types } from 'mediasoup';
import { FfmpegProcess } from '../../recording/capture/ffmpeg-process';
import { freePortPair, udpPortTaken } from '../../recording/capture/udp-ports';
import { captureSdpStreams, type CaptureCodec } from '../../recording/domain/capture-sdp';
import { broadcastArgs, RUN_PLAYLIST } from '../domain/broadcast-args';
import { chooseScene, sameScene, type Scene, type StageProducer } from '../domain/broadcast-scene';
import { LIVE_PLAYLIST } from '../domain/hls-links';
import { type BroadcastSegment, livePlaylist, parseRunPlaylist, runFolder } from '../domain/live-playlist';

/** What the broadcast reads of a class's media (a MediaRoom through stageOf; a test's own router elsewhere). */
export interface BroadcastStage {
  producers(): Array<StageProducer & { producer: types.Producer; router: types.Router }>;
  activeSpeakerUserId(): string | null;
  /** Calls back when the producers, their pause state or the active speaker may have changed; returns the unsubscribe. */
  onChange(listener: () => void): () => void;
}

export interface BroadcastSettings {
  /** The class's folder (absolute): `live.m3u8` and the runs' folders `r1/`, `r2/`… */
  folder: string;
  launcher: string;
  segmentSeconds: number;
  warn(message: string): void;
}

const LOOPBACK = '127.0.0.1';
/** Segments the public playlist lists (hls.js starts about three segments behind its end). */
export const LIVE_WINDOW = 6;
/** How long a scene must hold before the broadcast switches to it (a voice passing back and forth). */
const SCENE_SETTLE_MS = 1500;
const POLL_MS = 200;

interface Run {
  number: number;
  proc: FfmpegProcess;
  transports: types.PlainTransport[];
  keyFrames: NodeJS.Timeout | null;
  listed: number;
}

/**
 * One class's live broadcast on its media host: the chosen scene's producers go through PlainTransports
 * (loopback, unencrypted; ports, SDP and FFmpeg supervision as the recording capture does them) into
 * one FFmpeg that writes HLS into a run folder; the public playlist stitches the runs. A scene change
 * (a screen share starts, another voice speaks) ends the run and starts the next once the new scene
 * has held SCENE_SETTLE_MS; FFmpeg dying starts a new run too. `close()` ends it and removes its files.
 */
export class RoomBroadcast {
  private run: Run | null = null;
  private runs = 0;
  private scene: Scene | null = null;
  private readonly segments: BroadcastSegment[] = [];
  private closed = false;
  private settle: NodeJS.Timeout | null = null;
  private readonly poll: NodeJS.Timeout;
  private readonly unsubscribe: () => void;
  private switching: Promise<void> = Promise.resolve();
  private publishing: Promise<void> | null = null;

  constructor(
    private readonly stage: BroadcastStage,
    private readonly settings: BroadcastSettings,
  ) {
    this.unsubscribe = stage.onChange(() => this.sceneMayHaveChanged());
    // One publish at a time (under load one can outlast the interval: two would race on the temp file),
    // and a failed one is logged, never an unhandled rejection.
    this.poll = setInterval(() => {
      if (this.publishing) return;
      this.publishing = this.publish()
        .catch((e: unknown) => {
          // The class closing removes the folder under a publish: nothing to say then.
          if (!this.closed) this.settings.warn(`broadcast playlist not published: ${(e as Error).message}`);
        })
        .finally(() => (this.publishing = null));
    }, POLL_MS);
    this.poll.unref();
    this.switchTo(this.chosen());
  }

  /** The segments published so far (tests, the benchmark). */
  get published(): number {
    return this.segments.length;
  }

  get currentScene(): Scene | null {
    return this.scene;
  }

  get runCount(): number {
    return this.runs;
  }

  private chosen(): Scene {
    // The scene on air goes in: its voice being muted is not a change (see chooseScene).
    return chooseScene(this.stage.producers(), this.stage.activeSpeakerUserId(), this.scene);
  }

  private sceneMayHaveChanged(): void {
    if (this.closed) return;
    if (this.settle) clearTimeout(this.settle);
    this.settle = setTimeout(() => {
      this.settle = null;
      const next = this.chosen();
      if (!this.scene || !sameScene(this.scene, next) || !this.run?.proc.running) this.switchTo(next);
    }, SCENE_SETTLE_MS);
    this.settle.unref();
  }

  private switchTo(scene: Scene): void {
    this.switching = this.switching.then(async () => {
      if (this.closed) return;
      await this.stopRun();
      this.scene = scene;
      try {
        await this.startRun(scene);
      } catch (e) {
        this.settings.warn(`broadcast run could not start: ${(e as Error).message}`);
        this.sceneMayHaveChanged(); // tried again after the settle time
      }
    });
  }

  private async startRun(scene: Scene): Promise<void> {
    const number = ++this.runs;
    const folder = path.join(this.settings.folder, runFolder(number));
    await mkdir(folder, { recursive: true });
    const byId = new Map(this.stage.producers().map((p) => [p.id, p]));
    const chosen = [scene.audio, scene.video].map((id) => (id ? byId.get(id) : undefined)).filter((p) => !!p);
    const transports: types.PlainTransport[] = [];
    const consumers: types.Consumer[] = [];
    const streams: Array<{ codec: CaptureCodec; rtpPort: number }> = [];
    try {
      for (const p of chosen) {
        const port = await freePortPair(LOOPBACK);
        const transport = await p.router.createPlainTransport({
          listenInfo: { protocol: 'udp', ip: LOOPBACK },
          rtcpMux: false,
          comedia: false,
          appData: { broadcast: true },
        });
        transports.push(transport);
        await transport.connect({ ip: LOOPBACK, port, rtcpPort: port + 1 });
        const mime = p.producer.rtpParameters.codecs[0].mimeType.toLowerCase();
        const consumer = await transport.consume({
          producerId: p.producer.id,
          rtpCapabilities: {
            codecs: (p.router.rtpCapabilities.codecs ?? []).filter((c) => c.mimeType.toLowerCase() === mime),
            headerExtensions: [],
          },
          paused: true,
          appData: { broadcast: true },
        });
        consumer.on('producerclose', () => this.sceneMayHaveChanged());
        consumers.push(consumer);
        const codec = consumer.rtpParameters.codecs[0];
        streams.push({
          codec: {
            kind: consumer.kind,
            mimeType: codec.mimeType,
            payloadType: codec.payloadType,
            clockRate: codec.clockRate,
            channels: codec.channels,
            parameters: codec.parameters as Record<string, string | number> | undefined,
          },
          rtpPort: port,
        });
      }
      const sdpPath = path.join(folder, 'scene.sdp');
      await writeFile(sdpPath, captureSdpStreams(streams, LOOPBACK));
      const proc = new FfmpegProcess(
        this.settings.launcher,
        broadcastArgs({
          sdpPath,
          hasAudio: streams.some((s) => s.codec.kind === 'audio'),
          hasVideo: streams.some((s) => s.codec.kind === 'video'),
          folder,
          segmentSeconds: this.settings.segmentSeconds,
        }),
      );
      const run: Run = { number, proc, transports, keyFrames: null, listed: 0 };
      this.run = run;
      void proc.exited.then((exit) => {
        if (this.run !== run || this.closed || exit.requested) return;
        this.settings.warn(`broadcast FFmpeg exited: ${exit.message}`);
        this.sceneMayHaveChanged(); // a new run after the settle time
      });
      if (streams.length) {
        const listening = await Promise.race([
          Promise.all(streams.map((s) => udpPortTaken(s.rtpPort, LOOPBACK, 30_000))).then((all) => all.every(Boolean)),
          proc.exited.then(() => false),
        ]);
        if (!listening) throw new Error('FFmpeg did not open its RTP ports');
      }
      for (const c of consumers) await c.resume();
      const video = consumers.find((c) => c.kind === 'video');
      if (video) {
        // The picture starts at a key frame, and each segment must begin with one: ask the sender each segment.
        await video.requestKeyFrame().catch(() => undefined);
        run.keyFrames = setInterval(
          () => void (video.closed ? undefined : video.requestKeyFrame().catch(() => undefined)),
          this.settings.segmentSeconds * 1000,
        );
        run.keyFrames.unref();
      }
    } catch (e) {
      for (const t of transports) t.close();
      await this.stopRun();
      throw e;
    }
  }

  private async stopRun(): Promise<void> {
    const run = this.run;
    if (!run) return;
    this.run = null;
    if (run.keyFrames) clearInterval(run.keyFrames);
    for (const t of run.transports) t.close();
    await run.proc.stop(2000);
    await this.collect(run);
  }

  /** New segments of a run, appended to the broadcast's list. */
  private async collect(run: Run): Promise<boolean> {
    let text: string;
    try {
      text = await readFile(path.join(this.settings.folder, runFolder(run.number), RUN_PLAYLIST), 'utf8');
    } catch {
      return false;
    }
    const listed = parseRunPlaylist(text);
    // FFmpeg's own list slides (delete_segments): find where the segments we have not seen start.
    const known = new Set(this.segments.filter((s) => s.run === run.number).map((s) => s.name));
    const fresh = listed.filter((s) => !known.has(s.name));
    for (const s of fresh) this.segments.push({ run: run.number, name: s.name, duration: s.duration });
    run.listed += fresh.length;
    return fresh.length > 0;
  }

  private async publish(): Promise<void> {
    const run = this.run;
    if (!run || this.closed) return;
    if (!(await this.collect(run))) return;
    const file = path.join(this.settings.folder, LIVE_PLAYLIST);
    const temp = `${file}.tmp`;
    await writeFile(temp, livePlaylist(this.segments, LIVE_WINDOW, this.settings.segmentSeconds));
    await rename(temp, file);
    await this.dropOldRuns();
  }

  /** Runs whose last segment left the playlist long ago (a player may still fetch what it listed): their folders go. */
  private async dropOldRuns(): Promise<void> {
    const shownFrom = this.segments[Math.max(0, this.segments.length - LIVE_WINDOW * 3)]?.run ?? 0;
    let entries: string[];
    try {
      entries = await readdir(this.settings.folder);
    } catch {
      return;
    }
    for (const e of entries) {
      const m = /^r(\d+)$/.exec(e);
      if (m && Number(m[1]) < shownFrom) await rm(path.join(this.settings.folder, e), { recursive: true, force: true });
    }
  }

  /** Ends the broadcast (the class's media closed, or the class ended) and removes its files. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.poll);
    if (this.settle) clearTimeout(this.settle);
    this.unsubscribe();
    await this.switching;
    await this.stopRun();
    await rm(this.settings.folder, { recursive: true, force: true });
  }
}
