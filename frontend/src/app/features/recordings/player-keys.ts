/**
 * The player's keyboard shortcuts, as YouTube and most players have them: space or k play/pause, j/l
 * 10 s back/forward, arrows 5 s, < and > slower/faster, 0-9 a tenth of the way, c/home the previous or
 * first chapter. Pure: the component applies what this returns.
 */
export const SPEEDS = [0.75, 1, 1.25, 1.5, 1.75, 2] as const;

export type PlayerAction =
  | { kind: 'toggle' }
  | { kind: 'seek-by'; seconds: number }
  | { kind: 'seek-to-fraction'; fraction: number }
  | { kind: 'speed'; rate: number }
  | { kind: 'chapter'; step: -1 | 1 };

export function playerAction(key: string, rate: number, shift = false): PlayerAction | null {
  switch (key) {
    case ' ':
    case 'k':
    case 'K':
      return { kind: 'toggle' };
    case 'j':
    case 'J':
      return { kind: 'seek-by', seconds: -10 };
    case 'l':
    case 'L':
      return { kind: 'seek-by', seconds: 10 };
    case 'ArrowLeft':
      return { kind: 'seek-by', seconds: -5 };
    case 'ArrowRight':
      return { kind: 'seek-by', seconds: 5 };
    case '<':
    case ',':
      return shift || key === '<' ? { kind: 'speed', rate: stepSpeed(rate, -1) } : null;
    case '>':
    case '.':
      return shift || key === '>' ? { kind: 'speed', rate: stepSpeed(rate, 1) } : null;
    case 'p':
    case 'P':
      return { kind: 'chapter', step: -1 };
    case 'n':
    case 'N':
      return { kind: 'chapter', step: 1 };
  }
  if (/^[0-9]$/.test(key)) return { kind: 'seek-to-fraction', fraction: Number(key) / 10 };
  return null;
}

/** The next speed up or down the list (from any rate, the nearest one in that direction). */
export function stepSpeed(rate: number, dir: -1 | 1): number {
  if (dir > 0) return SPEEDS.find((s) => s > rate + 1e-9) ?? SPEEDS[SPEEDS.length - 1];
  return [...SPEEDS].reverse().find((s) => s < rate - 1e-9) ?? SPEEDS[0];
}

/** The chapter start to go to from `t` (previous: the current chapter's start unless within 2 s of it). */
export function chapterTarget(starts: number[], t: number, step: -1 | 1): number {
  if (!starts.length) return t;
  if (step > 0) return starts.find((s) => s > t + 0.5) ?? t;
  const before = starts.filter((s) => s <= t - 2);
  return before.length ? before[before.length - 1] : 0;
}

/** The chapter playing at `t` (its index), or -1. */
export function chapterAt(starts: number[], t: number): number {
  let i = -1;
  for (let k = 0; k < starts.length; k++) if (starts[k] <= t + 1e-6) i = k;
  return i;
}
