import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { Job, Queue } from 'bull';
import { readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { Subject, type Subscription } from 'rxjs';
import type { RecordingProgressUpdate } from '../contracts/recording-playback';
import { APP_CONFIG, AppConfig } from '../config/config';
import { DomainEvents } from '../platform/domain-events';
import { WhiteboardService } from '../whiteboard/whiteboard.service';
import { Compositor, probeRecording, workFiles } from './composite/compositor';
import { stopLeftoverFfmpeg } from './composite/ffmpeg-process';
import { buildBoardTimeline, BoardTimeline } from './domain/board-timeline';
import { pausedIntervals, placeRuns } from './domain/capture-timeline';
import { parseSegmentList } from './domain/segment-list';
import { CaptureFilesMissing, captureFilesMissingMessage } from './domain/capture-files';
import { missingCaptureFiles } from './infra/capture-files';
import { buildChapters, ChapterMark, ChapterMarkKind, chaptersToWebVtt } from './domain/chapters';
import { overallPercent, Step, STEPS } from './domain/job-steps';
import { RecordingRow, RecordingsRepository } from './infra/recordings.repository';
import { RECORDING_STORAGE, RecordingStorage, contentTypeOf } from './storage/recording-storage';

export const RECORDING_QUEUE = 'recording';
export interface CompositeJob {
  sessionId: string;
}

const MARK_KINDS: ReadonlySet<string> = new Set([
  'pause',
  'resume',
  'screen-start',
  'screen-stop',
  'gap',
  'breakouts',
  'breakouts-end',
]);
const PROGRESS_EVERY_MS = 1000;
const POLL_MS = 500;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The after-class job: `session.ended` queues one job per class (its id is the class's, so a second event
 * or a second instance queues nothing more). The job waits for capture and the board's final save, places
 * the captured runs on one clock, replays the board, builds the chapters, runs the compositor's steps,
 * uploads to storage and marks the recording ready. Each finished step is recorded; a job interrupted by a
 * restart is picked up by Bull as stalled and resumes at the first step not done.
 */
@Injectable()
export class RecordingJobService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('RecordingJob');
  private subscription?: Subscription;
  /** A recording's job moved (a step, a second of progress, ready, failed): told to its course's instructors. */
  readonly updates = new Subject<{ courseId: string; update: RecordingProgressUpdate }>();

  constructor(
    private readonly recordings: RecordingsRepository,
    private readonly whiteboard: WhiteboardService,
    private readonly events: DomainEvents,
    @Inject(RECORDING_STORAGE) private readonly storage: RecordingStorage,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectQueue(RECORDING_QUEUE) private readonly queue: Queue<CompositeJob>,
  ) {}

  onModuleInit(): void {
    this.subscription = this.events.on('session.ended').subscribe(({ sessionId, courseId }) => {
      this.enqueue(sessionId, courseId).catch((e: Error) =>
        this.logger.error(`queueing the recording of ${sessionId} failed: ${e.message}`),
      );
    });
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
  }

  /** The recording row and its job, once per class. */
  async enqueue(sessionId: string, courseId: string): Promise<RecordingRow> {
    const row = await this.recordings.ensure(sessionId, courseId);
    if (row.status === 'ready' || row.status === 'empty') return row;
    await this.queue.add(
      'composite',
      { sessionId },
      {
        jobId: `composite:${sessionId}`,
        attempts: this.config.recordings.attempts,
        backoff: { type: 'recording' },
        removeOnComplete: true,
        removeOnFail: 100,
      },
    );
    return row;
  }

  /** An instructor's Retry of a recording that failed every try: queued again, finished steps kept. */
  async retry(row: RecordingRow): Promise<void> {
    const job = await this.queue.getJob(`composite:${row.sessionId}`);
    await this.recordings.requeue(row.id);
    this.announce(row.id);
    if (job && (await job.isFailed())) await job.retry();
    else if (!job) await this.enqueue(row.sessionId, row.courseId);
  }

  /** Run by the processor for each try. */
  async process(job: Job<CompositeJob>): Promise<void> {
    const row = await this.recordings.bySession(job.data.sessionId);
    if (!row || row.status === 'ready' || row.status === 'empty') return;
    await this.recordings.start(row.id);
    this.announce(row.id);
    const source = await this.source(row);
    if (!source) {
      await this.recordings.empty(row.id);
      this.announce(row.id);
      this.logger.log(`class ${row.sessionId} left nothing to record`);
      return;
    }
    const workDir = path.join(this.config.recordings.workDir, row.id);
    const compositor = new Compositor({ ...source, recordingDir: this.config.recordings.captureDir }, workDir);
    await stopLeftoverFfmpeg(workDir); // a killed worker's FFmpeg may still be writing here
    // A step recorded done whose output is not in this host's work folder (the job moved to another
    // host) is done again, and every step after it.
    const done = await stepsStillDone(row.stepsDone, workDir, compositor.layout);
    let lastWrite = 0;
    const hooks = {
      started: async (step: Step) => {
        await this.recordings.stepStarted(row.id, step, process.pid);
        this.announce(row.id);
      },
      progress: (step: Step, fraction: number) => {
        const now = Date.now();
        if (now - lastWrite < PROGRESS_EVERY_MS) return;
        lastWrite = now;
        void job.progress(overallPercent(done, step, fraction)).catch(() => undefined);
        void this.recordings
          .progress(row.id, step, overallPercent(done, step, fraction))
          .then(() => this.announce(row.id))
          .catch(() => undefined);
      },
      done: async (step: Step) => {
        done.push(step);
        await this.recordings.stepDone(row.id, step, overallPercent(done, null, 0));
        this.announce(row.id);
      },
    };
    await compositor.run(done, hooks);
    const prefix = `recordings/${row.id}`;
    if (!done.includes('upload')) {
      await hooks.started('upload');
      await this.upload(workDir, prefix, source.board, source.chapters, (f) => hooks.progress('upload', f));
      await hooks.done('upload');
    }
    const probed = await probeRecording(workFiles(workDir).mp4).catch(() => null);
    const durationMs = Math.round((probed?.duration ?? source.timeline.duration) * 1000);
    await this.recordings.ready(row.id, prefix, durationMs, source.chapters);
    this.announce(row.id);
    await rm(workDir, { recursive: true, force: true });
    this.logger.log(`recording ${row.id} of class ${row.sessionId} is ready (${durationMs} ms)`);
  }

  /**
   * Tells the recording's course's instructors where its job stands, as the row now says (read again, so
   * the update is what a reload of the page would show). Never fails the job: a lost update is caught up
   * by the next one or by the page's own reload.
   */
  announce(id: string): void {
    this.recordings
      .byId(id)
      .then((r) => {
        if (!r) return;
        const { status, stage, percent, attempts, error } = r;
        this.updates.next({ courseId: r.courseId, update: { id: r.id, status, stage, percent, attempts, error } });
      })
      .catch((e: Error) => this.logger.warn(`progress of recording ${id} not announced: ${e.message}`));
  }

  /**
   * Everything the compositor needs, read from capture's rows and files and the board; null: nothing at all.
   * Waits (up to RECORDINGS_CAPTURE_WAIT_MS after the class ended) for capture runs still closing, then
   * uses what they finished; the board's final save must have run (else this try fails and is retried).
   */
  private async source(row: RecordingRow) {
    const endedAt = row.endedAt ?? new Date();
    const waitUntil = endedAt.getTime() + this.config.recordings.captureWaitMs;
    let capture = await this.recordings.captureOf(row.sessionId);
    while (capture.runs.some((r) => !r.endedAt) && Date.now() < waitUntil) {
      await sleep(POLL_MS);
      capture = await this.recordings.captureOf(row.sessionId);
    }
    let board = await this.whiteboard.timeline(row.sessionId);
    while (!board && Date.now() < waitUntil) {
      await sleep(POLL_MS);
      board = await this.whiteboard.timeline(row.sessionId);
    }
    if (!board) throw new Error("the board's final save has not run yet");
    const runs = await Promise.all(
      capture.runs.map(async (r) => ({
        ...r,
        segments: parseSegmentList(
          await readFile(path.join(this.config.recordings.captureDir, r.playlist), 'utf8').catch(() => ''),
        ),
      })),
    );
    const startMark = capture.marks.find((m) => m.kind === 'start');
    // No start mark: the class was not recorded (recording off for its platform or classroom).
    if (!startMark) return null;
    // Runs captured into another host's RECORDING_DIR: a clear failure (retried), never a recording without them.
    const missing = await missingCaptureFiles(this.config.recordings.captureDir, runs);
    if (missing.length)
      throw new CaptureFilesMissing(
        missing,
        captureFilesMissingMessage(this.config.recordings.captureDir, hostname(), missing, runs.length),
      );
    const stopMark = [...capture.marks].reverse().find((m) => m.kind === 'stop');
    const origin = startMark.at;
    const end = stopMark?.at ?? endedAt;
    const timeline = placeRuns(runs, origin, end);
    const boardTimeline = buildBoardTimeline(
      board.ops,
      board.pageChanges,
      origin,
      pausedIntervals(capture.marks, origin, timeline.duration),
    );
    if (!timeline.camera.length && !timeline.screen.length && !timeline.audio.length && !boardTimeline.events.length)
      return null;
    const titles = new Map(boardTimeline.pages.map((p) => [p.id, p.title]));
    const marks: ChapterMark[] = [
      ...capture.marks
        .filter((m) => MARK_KINDS.has(m.kind))
        .map((m) => ({ at: m.at, kind: m.kind as ChapterMarkKind, label: m.label })),
      ...board.pageChanges.map((c) => ({ at: c.at, kind: 'page' as const, label: titles.get(c.page) ?? null })),
    ];
    return {
      timeline,
      board: boardTimeline,
      chapters: buildChapters(marks, origin, timeline.duration),
      title: row.title,
    };
  }

  private async upload(
    workDir: string,
    prefix: string,
    board: BoardTimeline,
    chapters: ReturnType<typeof buildChapters>,
    progress: (fraction: number) => void,
  ): Promise<void> {
    const f = workFiles(workDir);
    const vtt = path.join(workDir, 'chapters.vtt');
    const boardJson = path.join(workDir, 'board.json');
    await writeFile(vtt, chaptersToWebVtt(chapters));
    await writeFile(boardJson, JSON.stringify(board));
    const files: Array<[string, string]> = [
      [vtt, `${prefix}/chapters.vtt`],
      [boardJson, `${prefix}/board.json`],
      [f.mp4, `${prefix}/recording.mp4`],
    ];
    for (const rel of await listFiles(f.hls)) files.push([path.join(f.hls, rel), `${prefix}/hls/${rel}`]);
    // Playlists last: a reader never finds a playlist naming a segment not uploaded yet.
    files.sort((a, b) => Number(a[1].endsWith('.m3u8')) - Number(b[1].endsWith('.m3u8')));
    for (let i = 0; i < files.length; i++) {
      await this.storage.putFile(files[i][1], files[i][0], contentTypeOf(files[i][1]));
      progress((i + 1) / files.length);
    }
  }
}

/** The recorded steps whose outputs are still here, up to the first one that is not. */
async function stepsStillDone(recorded: string[], workDir: string, layout: string): Promise<Step[]> {
  const f = workFiles(workDir);
  const output: Record<Step, string[]> = {
    audio: [f.audio],
    board: layout === 'stage' ? [f.board] : [],
    composite: [f.mp4, path.join(f.low, 'index.m3u8')],
    renditions: [f.master],
    upload: [],
  };
  const kept: Step[] = [];
  for (const step of STEPS) {
    if (!recorded.includes(step)) continue;
    if (!(await Promise.all(output[step].map(exists))).every(Boolean)) break;
    kept.push(step);
  }
  return kept;
}

const exists = (file: string) =>
  stat(file).then(
    () => true,
    () => false,
  );

async function listFiles(dir: string, base = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(path.join(dir, base), { withFileTypes: true })) {
    const rel = base ? `${base}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await listFiles(dir, rel)));
    else out.push(rel);
  }
  return out.sort();
}
