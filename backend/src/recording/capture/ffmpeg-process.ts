import ffmpeg from 'fluent-ffmpeg';
import { type ChildProcess, spawnSync } from 'node:child_process';
import { chmod, mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CaptureArgs } from '../domain/capture-args';

/** How a capture's FFmpeg ended: asked to stop, or on its own (a crash, a kill from outside). */
export interface FfmpegExit {
  requested: boolean;
  code: number | null;
  signal: string | null;
  message: string;
}

/**
 * The launcher FFmpeg runs through (written once into RECORDING_DIR/.bin): at a lower CPU priority
 * (`nice -n 10`: the live room's own processes come first when the host is busy; not 19, at which a
 * saturated host starves the copy until the socket's buffer overflows and packets are lost), and, where util-linux's `setpriv`
 * exists, set to receive SIGTERM when its parent dies, so a backend killed with SIGKILL leaves no FFmpeg
 * behind: each one closes its last segment and exits.
 */
export async function writeLauncher(
  recordingDir: string,
  ffmpegBin: string,
  { niceness = 10, name = 'capture-ffmpeg' }: { niceness?: number; name?: string } = {},
): Promise<string> {
  const bin = path.join(recordingDir, '.bin');
  await mkdir(bin, { recursive: true });
  const file = path.join(bin, name);
  const hasSetpriv = spawnSync('setpriv', ['--version'], { stdio: 'ignore' }).status === 0;
  const quoted = `'${ffmpegBin.replace(/'/g, `'\\''`)}'`;
  const body = hasSetpriv
    ? `exec nice -n ${niceness} setpriv --pdeathsig TERM -- ${quoted} "$@"`
    : `exec nice -n ${niceness} ${quoted} "$@"`;
  // Written aside and renamed: instances sharing RECORDING_DIR never run a half-written launcher.
  const temp = `${file}.${process.pid}`;
  await writeFile(
    temp,
    `#!/bin/sh\n# Lectern's FFmpeg (${name}): at a lower priority, gone with its parent.\n${body}\n`,
  );
  await chmod(temp, 0o755);
  await rename(temp, file);
  return file;
}

/**
 * One FFmpeg capture process, started through fluent-ffmpeg with arguments from captureArgs.
 *
 * Stopping escalates: SIGTERM first (FFmpeg closes and lists its last segment), SIGKILL after a grace
 * period. The escalation is not a formality: an FFmpeg whose RTP input went silent blocks in its read and
 * does not act on SIGTERM until a packet arrives or its input times out (measured: 9 to 20 s), and the
 * setpriv launcher's parent-death signal is a SIGTERM too. A stop asked before fluent-ffmpeg has spawned
 * FFmpeg (it first reads FFmpeg's capabilities) is delivered when it spawns, so no FFmpeg starts unwatched.
 * `exited` resolves on the child's exit, when Node has reaped it.
 */
export class FfmpegProcess {
  readonly exited: Promise<FfmpegExit>;
  private command: ffmpeg.FfmpegCommand;
  private stopping = false;
  private done = false;
  private stderr = '';
  /** The strongest signal asked for so far; sent again when the child appears if it was asked before. */
  private pendingSignal: 'SIGTERM' | 'SIGKILL' | null = null;
  private child: ChildProcess | null = null;
  pid: number | null = null;

  constructor(launcher: string, args: CaptureArgs) {
    this.command = ffmpeg().setFfmpegPath(launcher).input(args.input).inputOptions(args.inputOptions);
    for (const more of args.moreInputs ?? []) this.command.input(more.input).inputOptions(more.options);
    this.command.output(args.output).outputOptions(args.outputOptions);
    this.exited = new Promise<FfmpegExit>((resolve) => {
      const finish = (code: number | null, signal: string | null, message: string) => {
        if (this.done) return;
        this.done = true;
        resolve({ requested: this.stopping, code, signal, message });
      };
      this.command.on('start', () => {
        this.child = (this.command as unknown as { ffmpegProc?: ChildProcess }).ffmpegProc ?? null;
        this.pid = this.child?.pid ?? null;
        if (this.pendingSignal) this.child?.kill(this.pendingSignal);
      });
      this.command.on('stderr', (line: string) => {
        this.stderr = (this.stderr + line + '\n').slice(-2000);
      });
      this.command.on('end', () => finish(0, null, 'ended'));
      this.command.on('error', (err: Error) => {
        const m = /signal (\w+)/.exec(err.message);
        const c = /code (\d+)/.exec(err.message);
        finish(c ? Number(c[1]) : null, m ? m[1] : null, `${err.message.split('\n')[0]} ${this.stderr.trim()}`.trim());
      });
    });
    this.command.run();
  }

  get running(): boolean {
    return !this.done;
  }

  private signal(sig: 'SIGTERM' | 'SIGKILL'): void {
    if (this.done || this.pendingSignal === 'SIGKILL') return;
    this.pendingSignal = sig;
    this.child?.kill(sig);
  }

  /** Asks FFmpeg to finish (SIGTERM: it closes and lists its last segment); SIGKILL if it has not within `graceMs`. */
  async stop(graceMs = 5000): Promise<FfmpegExit> {
    if (!this.done) {
      this.stopping = true;
      this.signal('SIGTERM');
      const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    return this.exited;
  }
}
