/**
 * Big lectures: when a class's media host is busy (its CPU over a threshold for a whole window) or the
 * class already has many people on WebRTC, the *next passive joiners* watch an HLS broadcast instead.
 * Nobody already on WebRTC is moved, and the instructor, presenters and people the instructor promoted
 * always get WebRTC. Pure: the hand-off service feeds it the host's load samples (Redis) and the class's
 * counts, and keeps the mode it returns in Redis.
 *
 * Hysteresis: a class enters HLS mode on `cpuHigh` held for `windowMs` (or `maxWebrtcViewers` reached)
 * and leaves it only once the CPU has stayed under `cpuLow` for `calmMs` and the WebRTC viewers are
 * under `resumeViewers`: a load hovering around the threshold never flips the mode joiner by joiner.
 */
export interface HandoffThresholds {
  /** CPU share (0..1) over which, held for `windowMs`, new passive joiners go to HLS. */
  cpuHigh: number;
  /** CPU share under which, held for `calmMs`, new joiners get WebRTC again. */
  cpuLow: number;
  windowMs: number;
  calmMs: number;
  /** How often the load monitor samples: a window counts as covered when its oldest sample is within one sample of its start. */
  sampleMs: number;
  /** WebRTC viewers (passive people) of one class past which new passive joiners go to HLS. */
  maxWebrtcViewers: number;
  /** WebRTC viewers under which (with the CPU calm) a class in HLS mode takes WebRTC joiners again. */
  resumeViewers: number;
}

/** One reading of a media host's load: the share of its cores its workers and process used since the last one. */
export interface LoadSample {
  at: number;
  cpu: number;
}

export type HandoffReason = 'cpu' | 'viewers';

export type ClassMode = { mode: 'webrtc' } | { mode: 'hls'; since: number; reason: HandoffReason };

export const WEBRTC_MODE: ClassMode = { mode: 'webrtc' };

/**
 * The samples that describe the `spanMs` before `now`, or null when the history does not cover it. A
 * sample taken at `at` describes the time since the sample before it, so the span is covered when some
 * sample is at least as old as the span's start (the first one inside it then reaches back past the
 * start) and the newest is fresh (a monitor that stopped publishing says nothing about now). Timer
 * jitter between samples does not matter.
 */
export function samplesOver(samples: LoadSample[], now: number, spanMs: number, sampleMs: number): LoadSample[] | null {
  const inSpan = samples.filter((s) => s.at <= now && s.at > now - spanMs);
  if (inSpan.length === 0) return null;
  if (!samples.some((s) => s.at <= now - spanMs)) return null;
  if (Math.max(...inSpan.map((s) => s.at)) < now - sampleMs * 3) return null;
  return inSpan;
}

/** Whether the host's CPU was over `cpuHigh` for the whole window. */
export function cpuOverloaded(samples: LoadSample[], now: number, t: HandoffThresholds): boolean {
  const span = samplesOver(samples, now, t.windowMs, t.sampleMs);
  return span !== null && span.every((s) => s.cpu > t.cpuHigh);
}

/** Whether the host's CPU stayed under `cpuLow` for the whole calm period. */
export function cpuCalm(samples: LoadSample[], now: number, t: HandoffThresholds): boolean {
  const span = samplesOver(samples, now, t.calmMs, t.sampleMs);
  return span !== null && span.every((s) => s.cpu < t.cpuLow);
}

/** The class's mode now, from the mode it had, its host's samples and its WebRTC viewers. */
export function nextMode(
  previous: ClassMode,
  samples: LoadSample[],
  webrtcViewers: number,
  now: number,
  t: HandoffThresholds,
): ClassMode {
  if (previous.mode === 'webrtc') {
    if (cpuOverloaded(samples, now, t)) return { mode: 'hls', since: now, reason: 'cpu' };
    if (webrtcViewers >= t.maxWebrtcViewers) return { mode: 'hls', since: now, reason: 'viewers' };
    return previous;
  }
  if (cpuCalm(samples, now, t) && webrtcViewers < t.resumeViewers) return WEBRTC_MODE;
  return previous;
}

/** Who is joining, as far as the hand-off cares. */
export interface Joiner {
  /** Instructor, TA, designer: runs the class. */
  canTeach: boolean;
  /** Sends media to the class (a guest speaker, someone sharing a screen). */
  presenter: boolean;
  /** Let onto WebRTC by the instructor (asked to speak). */
  promoted: boolean;
  /** Already has WebRTC media in this class (a reconnect, a second join): stays put. */
  onWebrtc: boolean;
}

export type MediaPath = 'webrtc' | 'hls';

/** Where a joiner's media goes: only passive newcomers of a class in HLS mode watch the broadcast. */
export function routeJoiner(joiner: Joiner, mode: ClassMode): MediaPath {
  if (joiner.canTeach || joiner.presenter || joiner.promoted || joiner.onWebrtc) return 'webrtc';
  return mode.mode === 'hls' ? 'hls' : 'webrtc';
}

/**
 * Whether the class's broadcast should run: warm once the class passes `warmAt` people (so the first HLS
 * viewer finds segments already there), and always while the class is in HLS mode or has HLS viewers.
 */
export function broadcastWanted(classSize: number, hlsViewers: number, mode: ClassMode, warmAt: number): boolean {
  return mode.mode === 'hls' || hlsViewers > 0 || classSize >= warmAt;
}

/**
 * A media host's CPU share between two readings: the busier of its workers (each single-threaded, so
 * measured against one core each) and the whole host's processes (workers plus this Node process, against
 * the cores the machine has). Either saturating makes the SFU slow for everyone.
 */
export function hostCpuShare(
  previous: { workerSeconds: number; processSeconds: number; at: number },
  current: { workerSeconds: number; processSeconds: number; at: number },
  workers: number,
  cores: number,
): number {
  const elapsed = (current.at - previous.at) / 1000;
  if (elapsed <= 0) return 0;
  const worker = current.workerSeconds - previous.workerSeconds;
  const all = worker + current.processSeconds - previous.processSeconds;
  const workerShare = workers > 0 ? worker / (elapsed * workers) : 0;
  const hostShare = all / (elapsed * Math.max(1, Math.min(cores, workers + 1)));
  return Math.min(1, Math.max(0, workerShare, hostShare));
}
