import type { QuestionTally, TallyBar } from '@contracts/quiz';
import { EN } from '../../core/i18n/en';
import { translatorOf } from '../../core/i18n/language';
import type { Translate } from './question-form';

const english: Translate = translatorOf(EN);

/**
 * The live chart's view model: bars per option (short and numeric answers come grouped by the server),
 * scaled to a steady axis so that bars grow as answers arrive instead of jumping, with the numbers a
 * text alternative reads. Pure: the chart component only draws what this returns.
 */

export type ChartEntry = TallyBar;

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

/** "N answered of M present" (present unknown: "N answered"). */
export function answeredSummary(answered: number, present: number | null, t: Translate = english): string {
  return present === null
    ? t('quizTeach.answered', { n: answered })
    : t('quizTeach.answeredOf', { n: answered, present });
}

/** The chart for `entries` with `answered` people having answered (a multiple-choice answer may count in several bars). */
export function chartView(
  entries: readonly ChartEntry[],
  answered: number,
  present: number | null,
  showCorrect = false,
  t: Translate = english,
): ChartView {
  const axisMax = niceAxisMax(Math.max(0, ...entries.map((e) => e.count)));
  const bars = entries.map((e, i) => ({
    ...e,
    label: e.term ? t(`quizTeach.${e.term}`) : e.label,
    correct: showCorrect ? !!e.correct : undefined,
    fraction: Math.min(1, e.count / axisMax),
    percent: answered > 0 ? Math.round((100 * e.count) / answered) : 0,
    y: i * ROW,
  }));
  return {
    bars,
    axisMax,
    height: Math.max(ROW, bars.length * ROW),
    summary: answeredSummary(answered, present, t),
    description: bars.map((b) =>
      t(`quizTeach.bar${b.count === 1 ? 'One' : 'Many'}${b.correct ? 'Right' : ''}`, {
        label: b.label,
        count: b.count,
        percent: b.percent,
      }),
    ),
  };
}

/** One question's chart from its tally; which bars are right is shown only when `showCorrect` (after reveal). */
export function questionChart(
  tally: QuestionTally,
  present: number | null,
  showCorrect: boolean,
  t: Translate = english,
): ChartView {
  return chartView(tally.bars, tally.answered, present, showCorrect, t);
}

/** Where a bar's rectangle lies inside its row (SVG units; the width is a percentage of the chart). */
export function barGeometry(bar: ChartBar): { y: number; height: number; widthPercent: number } {
  // A bar with answers is never thinner than a hairline: "1 answer" must be visible next to "0".
  const widthPercent = bar.count > 0 ? Math.max(1, bar.fraction * 100) : 0;
  return { y: bar.y + BAR_TOP, height: BAR_HEIGHT, widthPercent };
}
