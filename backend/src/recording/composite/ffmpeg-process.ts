import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { ProgressReader } from '../domain/ffmpeg-progress';

/**
 * Runs FFmpeg with an argument list built in recording/domain/ffmpeg-args.ts, exactly as built (the
 * specs assert those lists; fluent-ffmpeg assembles its own, so it is not used for these commands).
 * Progress comes from `-progress pipe:1`; stderr (errors only, `-loglevel error`) becomes the error.
 */
export interface FfmpegRun {
  /** Seconds of output written so far. */
  onProgress?: (seconds: number) => void;
  /** Frames to feed on stdin (the board video). */
  stdin?: Readable;
  signal?: AbortSignal;
  /** A file the child's pid is appended to (stopLeftoverFfmpeg reads it after a crash). */
  pidFile?: string;
}

export class FfmpegFailed extends Error {
  constructor(
    readonly code: number | null,
    readonly stderr: string,
  ) {
    super(`ffmpeg exited with ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ').slice(0, 500)}`);
  }
}

export function runFfmpeg(args: string[], opts: FfmpegRun = {}, bin = 'ffmpeg'): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'], signal: opts.signal });
    if (opts.pidFile && child.pid) appendFileSync(opts.pidFile, `${child.pid}\n`);
    const reader = new ProgressReader((s) => opts.onProgress?.(s));
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (c: string) => reader.push(c));
    child.stderr!.setEncoding('utf8').on('data', (c: string) => {
      stderr = (stderr + c).slice(-8000);
    });
    if (opts.stdin && child.stdin) {
      child.stdin.on('error', () => undefined); // FFmpeg stopping early shows as its exit code
      opts.stdin.on('error', (e) => child.kill('SIGKILL') && reject(e));
      opts.stdin.pipe(child.stdin);
    }
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new FfmpegFailed(code, stderr))));
  });
}

/**
 * Stops FFmpeg processes a worker killed mid-job left running (a child outlives a SIGKILLed parent):
 * the pids the job wrote in `<workDir>/ffmpeg.pids`, each only if it is still an ffmpeg process.
 */
export async function stopLeftoverFfmpeg(workDir: string): Promise<number> {
  const file = `${workDir}/ffmpeg.pids`;
  const pids = (await readFile(file, 'utf8').catch(() => ''))
    .split('\n')
    .map(Number)
    .filter((p) => Number.isInteger(p) && p > 1 && p !== process.pid);
  let stopped = 0;
  for (const pid of pids) {
    const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (!cmd.split('\0')[0]?.endsWith('ffmpeg')) continue;
    try {
      process.kill(pid, 'SIGKILL');
      stopped++;
    } catch {
      /* gone meanwhile */
    }
  }
  await rm(file, { force: true });
  return stopped;
}

export function runFfprobe(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('ffprobe', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new FfmpegFailed(code, err))));
  });
}
