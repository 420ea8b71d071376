import { describe, expect, it } from 'vitest';
import { agsScore, attemptsFor, findLineItem, retryDelayMs, scoresUrl } from './ags';

describe('AGS rules', () => {
  it('builds a score with the time the grade was decided', () => {
    expect(
      agsScore({
        userSubject: 'u1',
        scoreGiven: 7,
        scoreMaximum: 10,
        activityProgress: 'Completed',
        gradingProgress: 'FullyGraded',
        comment: null,
        gradedAt: new Date('2026-11-24T10:00:00Z'),
      }),
    ).toEqual({
      userId: 'u1',
      scoreGiven: 7,
      scoreMaximum: 10,
      activityProgress: 'Completed',
      gradingProgress: 'FullyGraded',
      timestamp: '2026-11-24T10:00:00.000Z',
    });
  });

  it('appends /scores to the path and keeps the query', () => {
    expect(scoresUrl('https://lms/api/lti/courses/1/line_items/5')).toBe(
      'https://lms/api/lti/courses/1/line_items/5/scores',
    );
    expect(scoresUrl('https://lms/mod/lti/services.php/2/lineitems/7/lineitem?type_id=3')).toBe(
      'https://lms/mod/lti/services.php/2/lineitems/7/lineitem/scores?type_id=3',
    );
  });

  it('finds the line item of a resource link and tag, not another one', () => {
    const items = [
      { id: 'a', resourceLinkId: 'rl1', tag: 'lectern:quiz:1' },
      { id: 'b', resourceLinkId: 'rl2', tag: 'lectern:attendance' },
      { id: 'c', resourceLinkId: 'rl1', tag: 'lectern:attendance' },
    ];
    expect(findLineItem(items, { resourceLinkId: 'rl1', tag: 'lectern:attendance' })).toBe('c');
    expect(findLineItem(items, { resourceLinkId: 'rl3', tag: 'lectern:attendance' })).toBeNull();
    expect(findLineItem({ not: 'an array' }, { resourceLinkId: 'rl1', tag: 'x' })).toBeNull();
  });

  it('backs off exponentially up to a cap, for long enough to outlast an hour-long outage', () => {
    expect([1, 2, 3, 4].map((a) => retryDelayMs(a, 5000))).toEqual([5000, 10000, 20000, 40000]);
    expect(retryDelayMs(30, 5000)).toBe(3_600_000);
    const n = attemptsFor(6 * 3_600_000, 5000);
    let total = 0;
    for (let a = 1; a < n; a++) total += retryDelayMs(a, 5000);
    expect(total).toBeGreaterThanOrEqual(6 * 3_600_000);
  });
});
