/**
 * The live chart's view model: bars per option (short answers grouped), scaled to a steady axis so
 * that bars grow as answers arrive instead of jumping, with the numbers a text alternative reads.
 * Pure: the chart component only draws what this returns.
 */

export interface ChartEntry {
  /** Stable key (option id, or the grouped answer's normal form). */
  key: string;
  label: string;
  count: number;
  /** A right answer (shown only once the instructor reveals). */
  correct?: boolean;
}

export interface ChartBar extends ChartEntry {
  /** Bar length as a fraction of the chart's width, 0..1. */
  fraction: number;
  /** Share of the answers, whole percent ("0" when nobody answered). */
  percent: number;
  /** Row top in the SVG's own units. */
  y: number;
}

export interface ChartView {
  bars: ChartBar[];
  axisMax: number;
  /** Total height of the SVG in its own units (rows of ROW units). */
  height: number;
  /** "3 answered of 25 present". */
  summary: string;
  /** One sentence per bar, for screen readers. */
  description: string[];
}

export const ROW = 44;
const BAR_TOP = 22;
export const BAR_HEIGHT = 16;

/**
 * The axis end: at least 5, then 1, 2 or 5 times a power of ten at or above the largest count, so
 * the scale changes seldom (at 6, 11, 21, 51 answers) rather than at every answer.
 */
export function niceAxisMax(largest: number): number {
  if (!(largest > 5)) return 5;
  const power = 10 ** Math.floor(Math.log10(largest));
  for (const step of [1, 2, 5, 10]) {
    if (step * power >= largest) return step * power;
  }
  return 10 * power;
}

/** How short answers are grouped: case, accents kept, outer and repeated whitespace ignored (as the scoring matches them). */
export function normaliseAnswer(text: string): string {
  return text.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
}

/**
 * Groups free-text answers by their normal form (the label shown is the spelling given most often),
 * largest first; past `limit` groups the rest are one "Other answers" bar.
 */
export function groupShortAnswers(answers: ReadonlyArray<{ text: string; count: number; correct?: boolean }>, limit = 8): ChartEntry[] {
  const groups = new Map<string, { spellings: Map<string, number>; count: number; correct: boolean }>();
  for (const a of answers) {
    const key = normaliseAnswer(a.text);
    if (!key) continue;
    const g = groups.get(key) ?? { spellings: new Map(), count: 0, correct: false };
    g.count += a.count;
    g.correct ||= !!a.correct;
    g.spellings.set(a.text.trim(), (g.spellings.get(a.text.trim()) ?? 0) + a.count);
    groups.set(key, g);
  }
  const entries: ChartEntry[] = [...groups.entries()]
    .map(([key, g]) => ({ key, label: [...g.spellings.entries()].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))[0][0], count: g.count, correct: g.correct }))
    .sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : 1));
  if (entries.length <= limit) return entries;
  const rest = entries.slice(limit - 1);
  return [...entries.slice(0, limit - 1), { key: '\u0000other', label: `Other answers (${rest.length})`, count: rest.reduce((n, e) => n + e.count, 0) }];
}

/** "N answered of M present" (present unknown: "N answered"). */
export function answeredSummary(answered: number, present: number | null): string {
  const n = `${answered} answered`;
  return present === null ? n : `${n} of ${present} present`;
}

/** The chart for `entries` with `answered` people having answered (a multiple-choice answer may count in several bars). */
export function chartView(entries: readonly ChartEntry[], answered: number, present: number | null, showCorrect = false): ChartView {
  const axisMax = niceAxisMax(Math.max(0, ...entries.map((e) => e.count)));
  const bars = entries.map((e, i) => ({
    ...e,
    correct: showCorrect ? !!e.correct : undefined,
    fraction: Math.min(1, e.count / axisMax),
    percent: answered > 0 ? Math.round((100 * e.count) / answered) : 0,
    y: i * ROW,
  }));
  return {
    bars,
    axisMax,
    height: Math.max(ROW, bars.length * ROW),
    summary: answeredSummary(answered, present),
    description: bars.map((b) => `${b.label}: ${b.count} ${b.count === 1 ? 'answer' : 'answers'}, ${b.percent}%${b.correct ? ', a right answer' : ''}`),
  };
}

/** Where a bar's rectangle lies inside its row (SVG units; the width is a percentage of the chart). */
export function barGeometry(bar: ChartBar): { y: number; height: number; widthPercent: number } {
  // A bar with answers is never thinner than a hairline: "1 answer" must be visible next to "0".
  const widthPercent = bar.count > 0 ? Math.max(1, bar.fraction * 100) : 0;
  return { y: bar.y + BAR_TOP, height: BAR_HEIGHT, widthPercent };
}
