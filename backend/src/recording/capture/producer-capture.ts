import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { types } from 'mediasoup';
import { captureArgs, SEGMENT_LIST } from '../domain/capture-args';
import {
  gapLabel,
  restartDelay,
  type RestartPolicy,
  type RunEndReason,
  type TrackKind,
} from '../domain/capture-policy';
import { captureSdp } from '../domain/capture-sdp';
import { parseSegmentList, runEndedAt } from '../domain/segment-list';
import type { NewRun } from '../infra/capture.repository';
import { FfmpegProcess } from './ffmpeg-process';
import { freePortPair, udpPortTaken } from './udp-ports';

/** Where runs and gaps are written (the capture repository; an interface so the supervisor depends on no Nest). */
export interface RunStore {
  openRun(run: NewRun): Promise<void>;
  endRun(id: string, endedAt: Date, reason: RunEndReason): Promise<boolean>;
  mark(sessionId: string, kind: 'gap', at: Date, label: string | null, userId: string | null): Promise<void>;
}

export interface CaptureSettings {
  /** RECORDING_DIR (absolute). */
  dir: string;
  /** The FFmpeg launcher (see writeLauncher). */
  launcher: string;
  segmentSeconds: number;
  /** This backend instance (`recording_track.instance`). */
  instance: string;
  restart: RestartPolicy;
  runs: RunStore;
  warn(message: string): void;
}

/** The producer a capture records, and what its rows say about it. */
export interface CaptureTarget {
  sessionId: string;
  /** The router the producer lives on (its peer's worker): the capture's transport goes there. */
  router: types.Router;
  producer: types.Producer;
  kind: TrackKind;
  role: 'teacher' | 'student';
  userId: string;
  name: string;
}

const LOOPBACK = '127.0.0.1';

/**
 * One producer's recording: a supervisor of capture runs. Each run is a PlainTransport on the producer's
 * router (no encryption, loopback) with a consumer sending to an FFmpeg process that copies the stream
 * into segments; its row is written at the run's first packet (`started_at` is FFmpeg's time zero). When
 * FFmpeg dies on its own, the run is closed at its last finished segment, a `gap` mark is left, and a
 * new run starts after a back-off (restartDelay). `stop()` ends the current run and the supervision.
 */
export class ProducerCapture {
  private stopReason: RunEndReason | null = null;
  private wake: (() => void) | null = null;
  private paused: boolean;
  private proc: FfmpegProcess | null = null;
  private readonly lifetimes: number[] = [];
  private readonly loop: Promise<void>;
  /** Runs that got a row, newest last (for tests and the benchmark). */
  readonly runIds: string[] = [];

  constructor(
    private readonly target: CaptureTarget,
    private readonly settings: CaptureSettings,
    paused: boolean,
  ) {
    this.paused = paused;
    // A muted microphone or a paused camera sends nothing, and FFmpeg gives up after 10 s without a
    // packet: no FFmpeg runs while the producer (or the recording) is paused; a new run starts on resume.
    target.producer.observer.on('pause', () => this.wake?.());
    target.producer.observer.on('resume', () => this.wake?.());
    this.loop = this.supervise();
  }

  /** The current FFmpeg's pid (null between runs). */
  get pid(): number | null {
    return this.proc?.running ? this.proc.pid : null;
  }

  get producerId(): string {
    return this.target.producer.id;
  }

  /** Ends the current run with `reason` and stops supervising; resolves once FFmpeg has exited and the row is closed. */
  async stop(reason: RunEndReason): Promise<void> {
    this.stopReason ??= reason;
    this.wake?.();
    await this.loop;
  }

  /** A paused recording writes nothing: the current run ends (`paused`); a new one starts at the resume. */
  setPaused(paused: boolean): Promise<void> {
    this.paused = paused;
    this.wake?.();
    return Promise.resolve();
  }

  private get over(): boolean {
    return this.stopReason !== null || this.target.producer.closed;
  }

  /** Nothing to record now: the recording is paused, or the person muted this producer. */
  private get blocked(): boolean {
    return this.paused || this.target.producer.paused;
  }

  private async supervise(): Promise<void> {
    while (!this.over) {
      if (this.blocked) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        continue;
      }
      const began = Date.now();
      let crashed: { at: Date | null } | null;
      try {
        crashed = await this.run();
      } catch (e) {
        if (this.over) break;
        this.settings.warn(`capture of producer ${this.producerId} could not start: ${(e as Error).message}`);
        crashed = { at: null };
      }
      if (this.over) break;
      if (!crashed) continue; // ended on purpose (paused): wait for the resume
      this.lifetimes.push(Date.now() - began);
      const { sessionId, kind, name, userId } = this.target;
      if (crashed.at)
        await this.settings.runs
          .mark(sessionId, 'gap', crashed.at, gapLabel(kind, name, 'capture-restarted'), userId)
          .catch((e: Error) => this.settings.warn(`gap mark not written: ${e.message}`));
      await this.sleep(restartDelay(this.lifetimes, this.settings.restart));
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  /**
   * One FFmpeg run. Resolves null when it ended because it was asked to (stop, producer or room closed),
   * or `{ at }` when FFmpeg died on its own (`at`: where its recording ends; null when it had no row).
   */
  private async run(): Promise<{ at: Date | null } | null> {
    const { sessionId, router, producer, kind } = this.target;
    const { dir, launcher, segmentSeconds, instance, runs } = this.settings;
    const runId = randomUUID();
    const relative = `${sessionId}/${runId}`;
    const folder = path.join(dir, sessionId, runId);
    await mkdir(folder, { recursive: true });
    const port = await freePortPair(LOOPBACK);
    const transport = await router.createPlainTransport({
      listenInfo: { protocol: 'udp', ip: LOOPBACK },
      rtcpMux: false,
      comedia: false,
      appData: { recording: true },
    });
    let stopped: (reason: RunEndReason) => void = () => undefined;
    const asked = new Promise<RunEndReason>((resolve) => (stopped = resolve));
    this.wake = () => {
      if (this.over || this.blocked) stopped(this.stopReason ?? (this.over ? 'producer-closed' : 'paused'));
    };
    let keyFrames: NodeJS.Timeout | null = null;
    let startedAt: Date | null = null;
    let rowWritten: Promise<void> = Promise.resolve();
    try {
      await transport.connect({ ip: LOOPBACK, port, rtcpPort: port + 1 });
      const mime = producer.rtpParameters.codecs[0].mimeType.toLowerCase();
      const consumer = await transport.consume({
        producerId: producer.id,
        // Only the producer's codec, no retransmission stream and no header extensions: FFmpeg reads one plain RTP stream.
        rtpCapabilities: {
          codecs: (router.rtpCapabilities.codecs ?? []).filter((c) => c.mimeType.toLowerCase() === mime),
          headerExtensions: [],
        },
        paused: true,
        appData: { recording: true },
      });
      consumer.on('producerclose', () => stopped('producer-closed'));
      consumer.on('transportclose', () => stopped('room-closed'));
      const codec = consumer.rtpParameters.codecs[0];
      const sdpPath = path.join(folder, 'capture.sdp');
      await writeFile(
        sdpPath,
        captureSdp(
          {
            kind: consumer.kind,
            mimeType: codec.mimeType,
            payloadType: codec.payloadType,
            clockRate: codec.clockRate,
            channels: codec.channels,
            parameters: codec.parameters as Record<string, string | number> | undefined,
          },
          port,
          LOOPBACK,
        ),
      );
      const proc = new FfmpegProcess(launcher, captureArgs({ sdpPath, folder, segmentSeconds, listenIp: LOOPBACK }));
      this.proc = proc;
      const listening = await Promise.race([udpPortTaken(port, LOOPBACK, 20_000), proc.exited.then(() => false)]);
      if (!listening || this.over || this.blocked) {
        await proc.stop();
        return this.over || this.blocked ? null : { at: null };
      }
      // The run's row at its first packet: FFmpeg's time zero on the wall clock.
      consumer.on('trace', (trace) => {
        if (startedAt || trace.type !== 'rtp') return;
        startedAt = new Date();
        void consumer.enableTraceEvent([]).catch(() => undefined);
        this.runIds.push(runId);
        rowWritten = runs
          .openRun({
            id: runId,
            sessionId,
            kind,
            userId: this.target.userId,
            role: this.target.role,
            producerId: producer.id,
            playlist: `${relative}/${SEGMENT_LIST}`,
            instance,
            startedAt,
          })
          .catch((e: Error) => this.settings.warn(`capture run row not written: ${e.message}`));
      });
      await consumer.enableTraceEvent(['rtp']);
      await consumer.resume();
      if (consumer.kind === 'video') {
        // Video segments can only be cut at key frames: ask the sender for one every segment.
        await consumer.requestKeyFrame().catch(() => undefined);
        keyFrames = setInterval(() => {
          if (!consumer.closed) void consumer.requestKeyFrame().catch(() => undefined);
        }, segmentSeconds * 1000);
        keyFrames.unref();
      }
      const ended = await Promise.race([
        proc.exited.then((exit) => ({ crashed: true as const, exit })),
        asked.then((reason) => ({ crashed: false as const, reason })),
      ]);
      if (keyFrames) clearInterval(keyFrames);
      transport.close();
      if (!ended.crashed) await proc.stop();
      else this.settings.warn(`capture FFmpeg of producer ${producer.id} exited: ${ended.exit.message}`);
      await rowWritten;
      if (!startedAt) return ended.crashed ? { at: null } : null;
      const endedAt = runEndedAt(startedAt, await this.listed(folder));
      await runs.endRun(runId, endedAt, ended.crashed ? 'ffmpeg-exited' : (this.stopReason ?? ended.reason));
      return ended.crashed ? { at: endedAt } : null;
    } finally {
      if (keyFrames) clearInterval(keyFrames);
      transport.close();
      await this.proc?.stop();
      this.proc = null;
    }
  }

  private async listed(folder: string) {
    try {
      return parseSegmentList(await readFile(path.join(folder, SEGMENT_LIST), 'utf8'));
    } catch {
      return [];
    }
  }
}
