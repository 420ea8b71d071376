import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BoardTimeline, hasBoardActivity } from '../domain/board-timeline';
import { concatList, PlacedRun, RecordingTimeline } from '../domain/capture-timeline';
import { Chapter, chaptersToFfmetadata } from '../domain/chapters';
import {
  audioMixArgs,
  boardStillsList,
  chooseLayout,
  compositeArgs,
  hlsCopyArgs,
  probeArgs,
  RENDITIONS,
  RunInput,
} from '../domain/ffmpeg-args';
import { fractionOf } from '../domain/ffmpeg-progress';
import { masterPlaylist, mediaSegments, peakBandwidth } from '../domain/hls-playlist';
import type { Step } from '../domain/job-steps';
import { writeBoardStills } from './board-stills';
import { runFfmpeg, runFfprobe } from './ffmpeg-process';

/** What the compositor needs of one class: its captured runs on one clock, its board over time, its chapters. */
export interface CompositeSource {
  recordingDir: string;
  timeline: RecordingTimeline;
  board: BoardTimeline;
  chapters: Chapter[];
  title: string;
}

const [HI, LO] = RENDITIONS;

/** Where each step leaves its output, inside the job's working folder (kept until the upload is done). */
export const workFiles = (workDir: string) => ({
  audio: path.join(workDir, 'audio.m4a'),
  /** The board's stills and their concat list (the list is written last: its presence means the step is done). */
  boardDir: path.join(workDir, 'board'),
  board: path.join(workDir, 'board', 'stills.ffconcat'),
  mp4: path.join(workDir, 'recording.mp4'),
  hls: path.join(workDir, 'hls'),
  /** The 360p rendition, written by the composite step beside the MP4. */
  low: path.join(workDir, 'hls', LO.name),
  /** The 720p rendition, copied from the MP4 by the renditions step. */
  high: path.join(workDir, 'hls', HI.name),
  master: path.join(workDir, 'hls', 'master.m3u8'),
  chapters: path.join(workDir, 'chapters.txt'),
  lists: path.join(workDir, 'lists'),
  /** The FFmpeg processes running for this job (a resumed job stops those a killed worker left). */
  pids: path.join(workDir, 'ffmpeg.pids'),
});

export interface StepHooks {
  /** The step starts (recorded: a resumed job can be seen not to redo finished steps). */
  started(step: Step): Promise<void>;
  /** Fraction 0-1 of the step under way. */
  progress(step: Step, fraction: number): void;
  /** The step finished and its output is in place (recorded before the next one starts). */
  done(step: Step): Promise<void>;
}

/**
 * The FFmpeg steps of the after-class job: the audio mix and the board's stills side by side, then the
 * composite (the MP4 and the 360p rendition from one decode), then the 720p rendition copied from the MP4
 * and the master playlist. Each step writes to a temporary name and renames when FFmpeg succeeded, so a
 * step is either done (its output there and recorded) or redone from scratch; finished steps are skipped.
 */
export class Compositor {
  constructor(
    private readonly source: CompositeSource,
    private readonly workDir: string,
  ) {}

  get layout() {
    return chooseLayout(hasBoardActivity(this.source.board), this.source.timeline.screen.length > 0);
  }

  async run(done: readonly string[], hooks: StepHooks): Promise<void> {
    const f = workFiles(this.workDir);
    await mkdir(f.lists, { recursive: true });
    const first: Promise<void>[] = [];
    if (!done.includes('audio')) first.push(this.audio(hooks));
    if (!done.includes('board')) first.push(this.layout === 'stage' ? this.boardStills(hooks) : hooks.done('board'));
    await Promise.all(first);
    if (!done.includes('composite')) await this.composite(hooks);
    if (!done.includes('renditions')) await this.renditions(hooks);
  }

  private async lists(runs: PlacedRun[]): Promise<RunInput[]> {
    const f = workFiles(this.workDir);
    return Promise.all(
      runs.map(async (r) => {
        const list = path.join(f.lists, `${r.id}.ffconcat`);
        await writeFile(list, concatList(path.join(this.source.recordingDir, r.folder), r.files));
        return { list, offset: r.offset, duration: r.duration };
      }),
    );
  }

  private async audio(hooks: StepHooks) {
    await hooks.started('audio');
    const { audio } = workFiles(this.workDir);
    const duration = this.source.timeline.duration;
    const tmp = `${audio}.part.m4a`;
    await runFfmpeg(audioMixArgs(await this.lists(this.source.timeline.audio), duration, tmp), {
      pidFile: workFiles(this.workDir).pids,
      onProgress: (s) => hooks.progress('audio', fractionOf(s, duration)),
    });
    await rename(tmp, audio);
    await hooks.done('audio');
  }

  private async boardStills(hooks: StepHooks) {
    await hooks.started('board');
    const f = workFiles(this.workDir);
    const duration = this.source.timeline.duration;
    await rm(f.boardDir, { recursive: true, force: true });
    await mkdir(f.boardDir, { recursive: true });
    const stills = await writeBoardStills(this.source.board, duration, f.boardDir, (x) => hooks.progress('board', x));
    await writeFile(`${f.board}.part`, boardStillsList(stills, duration));
    await rename(`${f.board}.part`, f.board);
    await hooks.done('board');
  }

  private async composite(hooks: StepHooks) {
    await hooks.started('composite');
    const f = workFiles(this.workDir);
    const { timeline } = this.source;
    await writeFile(f.chapters, chaptersToFfmetadata(this.source.chapters, this.source.title));
    const tmp = `${f.mp4}.part.mp4`;
    const lowTmp = `${f.low}.part`;
    await rm(lowTmp, { recursive: true, force: true });
    await mkdir(lowTmp, { recursive: true });
    const args = compositeArgs({
      layout: this.layout,
      duration: timeline.duration,
      board: this.layout === 'stage' ? f.board : null,
      camera: await this.lists(timeline.camera),
      screen: await this.lists(timeline.screen),
      audio: f.audio,
      chapters: f.chapters,
      output: tmp,
      lowDir: lowTmp,
    });
    await runFfmpeg(args, {
      pidFile: f.pids,
      onProgress: (s) => hooks.progress('composite', fractionOf(s, timeline.duration)),
    });
    await rm(f.low, { recursive: true, force: true });
    await rename(lowTmp, f.low);
    await rename(tmp, f.mp4);
    await hooks.done('composite');
  }

  private async renditions(hooks: StepHooks) {
    await hooks.started('renditions');
    const f = workFiles(this.workDir);
    const tmp = `${f.high}.part`;
    await rm(tmp, { recursive: true, force: true });
    await mkdir(tmp, { recursive: true });
    await runFfmpeg(hlsCopyArgs(f.mp4, tmp), {
      pidFile: f.pids,
      onProgress: (s) => hooks.progress('renditions', fractionOf(s, this.source.timeline.duration)),
    });
    await rm(f.high, { recursive: true, force: true });
    await rename(tmp, f.high);
    const variants = await Promise.all(
      RENDITIONS.map(async (r) => ({
        name: r.name,
        width: r.width,
        height: r.height,
        bandwidth: await measuredBandwidth(path.join(f.hls, r.name)),
      })),
    );
    // The master playlist last: its presence means both renditions are complete.
    await writeFile(`${f.master}.part`, masterPlaylist(variants));
    await rename(`${f.master}.part`, f.master);
    await hooks.done('renditions');
  }
}

/** A rendition's peak bit rate, from its playlist's segment durations and the segments' sizes. */
async function measuredBandwidth(dir: string): Promise<number> {
  const segments = mediaSegments(await readFile(path.join(dir, 'index.m3u8'), 'utf8'));
  return peakBandwidth(
    await Promise.all(
      segments.map(async (s) => ({ seconds: s.seconds, bytes: (await stat(path.join(dir, s.uri))).size })),
    ),
  );
}

export interface ProbedRecording {
  duration: number;
  video: string | null;
  audio: string | null;
  chapters: number;
}

/** What ffprobe says of a finished MP4. */
export async function probeRecording(file: string): Promise<ProbedRecording> {
  const info = JSON.parse(await runFfprobe(probeArgs(file))) as {
    format: { duration: string };
    streams: Array<{ codec_type: string; codec_name: string }>;
    chapters: unknown[];
  };
  return {
    duration: Number(info.format.duration),
    video: info.streams.find((s) => s.codec_type === 'video')?.codec_name ?? null,
    audio: info.streams.find((s) => s.codec_type === 'audio')?.codec_name ?? null,
    chapters: info.chapters.length,
  };
}
