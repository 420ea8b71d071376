/**
 * The after-class job as steps. Each finished step is recorded (`recording.steps_done`) with what it
 * produced, so a job interrupted by a restart starts again at the first step not done. A step's share of
 * the progress bar is its rough share of the work (the composite, which makes both renditions' video, is the long one).
 */
export const STEPS = ['audio', 'board', 'composite', 'renditions', 'upload'] as const;
export type Step = (typeof STEPS)[number];

const WEIGHT: Record<Step, number> = { audio: 5, board: 5, composite: 75, renditions: 5, upload: 10 };
const TOTAL = STEPS.reduce((s, k) => s + WEIGHT[k], 0);

export const isStep = (s: string): s is Step => (STEPS as readonly string[]).includes(s);

/** The steps still to run, in order, given those done. */
export function stepsToRun(done: readonly string[]): Step[] {
  return STEPS.filter((s) => !done.includes(s));
}

/** Overall percent (0-100, whole) when `step` is `fraction` (0-1) done and `done` are finished. */
export function overallPercent(done: readonly string[], step: Step | null, fraction: number): number {
  const finished = STEPS.filter((s) => done.includes(s)).reduce((sum, s) => sum + WEIGHT[s], 0);
  const current = step && !done.includes(step) ? WEIGHT[step] * Math.min(1, Math.max(0, fraction)) : 0;
  return Math.min(100, Math.floor(((finished + current) / TOTAL) * 100));
}

/** Delay before try `attempt` (1-based) of a failed job: 30 s, 2 min, 8 min… capped at an hour. */
export function retryDelayMs(attempt: number, baseMs: number): number {
  return Math.min(3_600_000, baseMs * 4 ** Math.max(0, attempt - 1));
}
