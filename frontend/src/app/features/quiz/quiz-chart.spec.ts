import { describe, expect, it } from 'vitest';
import { answeredSummary, barGeometry, chartView, niceAxisMax, questionChart, ROW } from './quiz-chart';

describe('niceAxisMax', () => {
  it('keeps a steady axis: at least 5, then 1, 2 or 5 times a power of ten', () => {
    expect([0, 1, 5].map(niceAxisMax)).toEqual([5, 5, 5]);
    expect([6, 10, 11, 20, 21, 50, 51, 100, 101, 299].map(niceAxisMax)).toEqual([
      10, 10, 20, 20, 50, 50, 100, 100, 200, 500,
    ]);
    expect(niceAxisMax(Number.NaN)).toBe(5);
  });
});

describe('chartView', () => {
  const options = [
    { key: 'a', label: 'Paris', count: 3, correct: true },
    { key: 'b', label: 'Lyon', count: 1 },
    { key: 'c', label: 'Nice', count: 0 },
  ];

  it('scales bars to the axis, gives each a share of the answers and a row', () => {
    const v = chartView(options, 4, 25);
    expect(v.axisMax).toBe(5);
    expect(v.bars.map((b) => [b.key, b.fraction, b.percent, b.y])).toEqual([
      ['a', 0.6, 75, 0],
      ['b', 0.2, 25, ROW],
      ['c', 0, 0, 2 * ROW],
    ]);
    expect(v.height).toBe(3 * ROW);
    expect(v.summary).toBe('4 answered of 25 present');
  });

  it('bars grow as answers arrive without the scale changing at every answer', () => {
    const before = chartView([{ key: 'a', label: 'A', count: 2 }], 2, 10).bars[0];
    const after = chartView([{ key: 'a', label: 'A', count: 3 }], 3, 10).bars[0];
    expect(after.fraction).toBeGreaterThan(before.fraction);
    expect(chartView([{ key: 'a', label: 'A', count: 7 }], 7, 10).axisMax).toBe(10);
  });

  it('hides which answer is right until results are revealed', () => {
    expect(chartView(options, 4, 25).bars.map((b) => b.correct)).toEqual([undefined, undefined, undefined]);
    expect(chartView(options, 4, 25, true).bars.map((b) => b.correct)).toEqual([true, false, false]);
  });

  it('has a text alternative: one sentence per bar, the right answer named once revealed', () => {
    expect(chartView(options, 4, null, true).description).toEqual([
      'Paris: 3 answers, 75%, a right answer',
      'Lyon: 1 answer, 25%',
      'Nice: 0 answers, 0%',
    ]);
    expect(chartView(options, 4, null).description[0]).toBe('Paris: 3 answers, 75%');
    expect(chartView([], 0, 3).summary).toBe('0 answered of 3 present');
  });

  it('nobody answered: no bar, no division by zero', () => {
    const v = chartView(
      options.map((o) => ({ ...o, count: 0 })),
      0,
      30,
    );
    expect(v.bars.every((b) => b.fraction === 0 && b.percent === 0)).toBe(true);
    expect(v.height).toBe(3 * ROW);
  });

  it('a bar with one answer stays visible next to a large one', () => {
    const v = chartView(
      [
        { key: 'a', label: 'A', count: 1000 },
        { key: 'b', label: 'B', count: 1 },
      ],
      1001,
      null,
    );
    expect(barGeometry(v.bars[1]).widthPercent).toBe(1);
    expect(barGeometry(v.bars[0]).widthPercent).toBe(100);
    expect(barGeometry({ ...v.bars[1], count: 0, fraction: 0 }).widthPercent).toBe(0);
  });
});

describe("a question's tally", () => {
  it("charts the server's bars (short answers arrive grouped), answered of present", () => {
    const v = questionChart(
      {
        questionId: 'q',
        answered: 5,
        bars: [
          { key: 'paris', label: 'Paris', count: 4, correct: true },
          { key: 'other', label: 'Other answers', count: 1 },
        ],
      },
      7,
      false,
    );
    expect(v.summary).toBe('5 answered of 7 present');
    expect(v.bars.map((b) => [b.label, b.count, b.percent, b.correct])).toEqual([
      ['Paris', 4, 80, undefined],
      ['Other answers', 1, 20, undefined],
    ]);
    expect(questionChart({ questionId: 'q', answered: 0, bars: [] }, 0, true).bars).toEqual([]);
  });

  it("words a true/false question's bars in the app's language, not the server's English", () => {
    const es = (key: string) => ({ 'quizTeach.true': 'Verdadero', 'quizTeach.false': 'Falso' })[key] ?? key;
    const v = questionChart(
      {
        questionId: 'q',
        answered: 2,
        bars: [
          { key: 'true', label: 'True', term: 'true', count: 1 },
          { key: 'false', label: 'False', term: 'false', count: 1 },
          { key: 'true-ish', label: 'True', count: 0 },
        ],
      },
      null,
      false,
      es as never,
    );
    expect(v.bars.map((b) => b.label)).toEqual(['Verdadero', 'Falso', 'True']);
  });

  it('summary without a known presence count', () => {
    expect(answeredSummary(3, null)).toBe('3 answered');
  });
});
