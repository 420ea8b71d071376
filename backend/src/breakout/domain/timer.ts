/** The breakout timer: when the warning and the close are due (pure; the service queues them as Bull jobs). */

/** How long before the end everyone is warned. */
export const WARNING_BEFORE_MS = 60_000;
export const MIN_DURATION_S = 5;
export const MAX_DURATION_S = 4 * 60 * 60;

export interface TimerJobs {
  endsAt: number;
  /** Delay of the one-minute warning (0 when the rooms have less than a minute: warned at once). */
  warnDelayMs: number;
  closeDelayMs: number;
}

/** The jobs of a timer of `durationS` seconds set at `now` (ms since the epoch). */
export function timerJobs(now: number, durationS: number): TimerJobs {
  const endsAt = now + durationS * 1000;
  return { endsAt, warnDelayMs: Math.max(0, endsAt - WARNING_BEFORE_MS - now), closeDelayMs: endsAt - now };
}

/** Whole seconds left at `now` (never negative). */
export function secondsLeft(endsAt: number, now: number): number {
  return Math.max(0, Math.ceil((endsAt - now) / 1000));
}
