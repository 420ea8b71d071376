import ffmpeg from 'fluent-ffmpeg';
import { ChildProcess, spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import type { FfmpegCommandSpec } from '../domain/ffmpeg-args';
import { ProgressReader } from '../domain/ffmpeg-progress';

/**
 * Runs an FFmpeg command built in recording/domain/ffmpeg-args.ts through fluent-ffmpeg, given exactly
 * as built: every input with its raw options, the filter graph, every output with its raw options
 * (`fluentCommand(spec)._getArguments()` equals `commandLine(spec)`, which the specs assert). Progress
 * comes from `-progress pipe:1` on FFmpeg's stdout; stderr (errors only, `-loglevel error`) becomes the error.
 */
export interface FfmpegRun {
  /** Seconds of output written so far. */
  onProgress?: (seconds: number) => void;
  signal?: AbortSignal;
  /** A file the child's pid is appended to (stopLeftoverFfmpeg reads it after a crash). */
  pidFile?: string;
}

export class FfmpegFailed extends Error {
  constructor(
    readonly code: number | null,
    readonly stderr: string,
    readonly signal: string | null = null,
  ) {
    const how = signal ? `was killed with ${signal}` : `exited with ${code}`;
    super(`ffmpeg ${how}: ${stderr.trim().split('\n').slice(-3).join(' | ').slice(0, 500)}`.replace(/: $/, ''));
  }
}

/**
 * The fluent-ffmpeg command for a spec. Options are passed as separate arguments (fluent-ffmpeg would
 * split a lone option string holding one space, e.g. a path, in two).
 */
export function fluentCommand(spec: FfmpegCommandSpec, bin = 'ffmpeg'): ffmpeg.FfmpegCommand {
  const command = ffmpeg().setFfmpegPath(bin);
  for (const i of spec.inputs) {
    command.input(i.source);
    if (i.options.length) command.inputOptions(...unsplit(i.options));
  }
  if (spec.filterGraph) command.complexFilter(spec.filterGraph);
  for (const o of spec.outputs) {
    command.output(o.target);
    if (o.options.length) command.outputOptions(...unsplit(o.options));
  }
  return command;
}

/** fluent-ffmpeg splits a single option given alone; two or more given as arguments are kept whole. */
function unsplit(options: string[]): [string, ...string[]] {
  if (options.length === 1 && options[0].split(' ').length === 2)
    throw new Error(`a lone FFmpeg option with a space would be split: ${options[0]}`);
  return options as [string, ...string[]];
}

export function runFfmpeg(spec: FfmpegCommandSpec, opts: FfmpegRun = {}, bin = 'ffmpeg'): Promise<void> {
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) return reject(new Error('aborted'));
    const command = fluentCommand(spec, bin);
    const reader = new ProgressReader((s) => opts.onProgress?.(s));
    let stderr = '';
    // Aborted before fluent-ffmpeg spawned FFmpeg (it first reads FFmpeg's capabilities): killed at its start.
    const abort = () => command.kill('SIGKILL');
    opts.signal?.addEventListener('abort', abort, { once: true });
    command.on('start', () => {
      const child = (command as unknown as { ffmpegProc?: ChildProcess }).ffmpegProc;
      if (opts.signal?.aborted) child?.kill('SIGKILL');
      if (opts.pidFile && child?.pid) appendFileSync(opts.pidFile, `${child.pid}\n`);
      child?.stdout?.setEncoding('utf8').on('data', (c: string) => reader.push(c));
    });
    command.on('stderr', (line: string) => {
      stderr = (stderr + line + '\n').slice(-8000);
    });
    command.on('end', () => {
      opts.signal?.removeEventListener('abort', abort);
      resolve();
    });
    command.on('error', (err: Error) => {
      opts.signal?.removeEventListener('abort', abort);
      // fluent-ffmpeg says "ffmpeg was killed with signal SIGKILL" or "ffmpeg exited with code 1: …".
      const signal = /killed with signal (\w+)/.exec(err.message)?.[1] ?? null;
      const code = /exited with code (\d+)/.exec(err.message);
      if (!signal && !code) return reject(err); // not started at all (no binary, bad input stream)
      reject(new FfmpegFailed(code ? Number(code[1]) : null, stderr, signal));
    });
    command.run();
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
