import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BoardTimeline, hasBoardActivity } from '../domain/board-timeline';
import { concatList, PlacedRun, RecordingTimeline } from '../domain/capture-timeline';
import { Chapter, chaptersToFfmetadata } from '../domain/chapters';
import {
  audioMixArgs,
  boardVideoArgs,
  chooseLayout,
  compositeArgs,
  hlsArgs,
  probeArgs,
  RunInput,
} from '../domain/ffmpeg-args';
import { fractionOf } from '../domain/ffmpeg-progress';
import type { Step } from '../domain/job-steps';
import { boardFrames } from './board-frames';
import { runFfmpeg, runFfprobe } from './ffmpeg-process';

/** What the compositor needs of one class: its captured runs on one clock, its board over time, its chapters. */
export interface CompositeSource {
  recordingDir: string;
  timeline: RecordingTimeline;
  board: BoardTimeline;
  chapters: Chapter[];
  title: string;
}

/** Where each step leaves its output, inside the job's working folder (kept until the upload is done). */
export const workFiles = (workDir: string) => ({
  audio: path.join(workDir, 'audio.m4a'),
  board: path.join(workDir, 'board.mp4'),
  mp4: path.join(workDir, 'recording.mp4'),
  hls: path.join(workDir, 'hls'),
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
 * The FFmpeg steps of the after-class job (audio mix and board video side by side, then the composite,
 * then the HLS renditions). Each step writes to a temporary name and renames when FFmpeg succeeded, so a
 * step is either done (its file there and recorded) or redone from scratch; finished steps are skipped.
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
    if (!done.includes('board')) first.push(this.layout === 'stage' ? this.boardVideo(hooks) : hooks.done('board'));
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

  private async boardVideo(hooks: StepHooks) {
    await hooks.started('board');
    const { board } = workFiles(this.workDir);
    const duration = this.source.timeline.duration;
    const tmp = `${board}.part.mp4`;
    await runFfmpeg(boardVideoArgs(duration, tmp), {
      pidFile: workFiles(this.workDir).pids,
      stdin: boardFrames(this.source.board, duration),
      onProgress: (s) => hooks.progress('board', fractionOf(s, duration)),
    });
    await rename(tmp, board);
    await hooks.done('board');
  }

  private async composite(hooks: StepHooks) {
    await hooks.started('composite');
    const f = workFiles(this.workDir);
    const { timeline } = this.source;
    await writeFile(f.chapters, chaptersToFfmetadata(this.source.chapters, this.source.title));
    const tmp = `${f.mp4}.part.mp4`;
    const args = compositeArgs({
      layout: this.layout,
      duration: timeline.duration,
      board: this.layout === 'stage' ? f.board : null,
      camera: await this.lists(timeline.camera),
      screen: await this.lists(timeline.screen),
      audio: f.audio,
      chapters: f.chapters,
      output: tmp,
    });
    await runFfmpeg(args, {
      pidFile: f.pids,
      onProgress: (s) => hooks.progress('composite', fractionOf(s, timeline.duration)),
    });
    await rename(tmp, f.mp4);
    await hooks.done('composite');
  }

  private async renditions(hooks: StepHooks) {
    await hooks.started('renditions');
    const f = workFiles(this.workDir);
    const tmp = `${f.hls}.part`;
    await rm(tmp, { recursive: true, force: true });
    await mkdir(tmp, { recursive: true });
    await runFfmpeg(hlsArgs(f.mp4, tmp), {
      pidFile: f.pids,
      onProgress: (s) => hooks.progress('renditions', fractionOf(s, this.source.timeline.duration)),
    });
    await rm(f.hls, { recursive: true, force: true });
    await rename(tmp, f.hls);
    await hooks.done('renditions');
  }
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
