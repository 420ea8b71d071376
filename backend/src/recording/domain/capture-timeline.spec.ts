import { describe, expect, it } from 'vitest';
import { concatList, pausedIntervals, placeRuns } from './capture-timeline';

const origin = new Date('2026-12-04T09:00:00Z');
const at = (s: number) => new Date(origin.getTime() + s * 1000);

describe('capture timeline', () => {
  it('places runs on the recording clock by their first packet, gaps left as they are', () => {
    const seg = (end: number) => [{ file: 'seg-00000.mkv', start: 0, end }];
    const tl = placeRuns(
      [
        {
          id: 'b',
          kind: 'video',
          role: 'teacher',
          userId: 'u1',
          startedAt: at(12.5),
          playlist: 's/cam-2/list.csv',
          segments: seg(7.5),
        },
        {
          id: 'a',
          kind: 'video',
          role: 'teacher',
          userId: 'u1',
          startedAt: at(0.25),
          playlist: 's/cam-1/list.csv',
          segments: seg(10),
        },
        {
          id: 'c',
          kind: 'video',
          role: 'student',
          userId: 'u2',
          startedAt: at(1),
          playlist: 's/st/list.csv',
          segments: seg(5),
        },
        {
          id: 'd',
          kind: 'screen',
          role: 'student',
          userId: 'u2',
          startedAt: at(3),
          playlist: 's/scr/list.csv',
          segments: seg(4),
        },
        {
          id: 'e',
          kind: 'audio',
          role: 'student',
          userId: 'u2',
          startedAt: at(2),
          playlist: 's/mic/list.csv',
          segments: [],
        },
        {
          id: 'f',
          kind: 'audio',
          role: 'teacher',
          userId: 'u1',
          startedAt: at(30),
          playlist: 's/late/list.csv',
          segments: seg(3),
        },
      ],
      origin,
      at(20),
    );
    expect(tl.duration).toBe(20);
    expect(tl.camera.map((r) => [r.id, r.offset, r.duration, r.folder])).toEqual([
      ['a', 0.25, 10, 's/cam-1'],
      ['b', 12.5, 7.5, 's/cam-2'],
    ]);
    expect(tl.screen.map((r) => r.id)).toEqual(['d']);
    expect(tl.audio).toEqual([]); // one with no finished segment, one after the end
  });

  it('writes a concat list with quoted paths', () => {
    expect(concatList("/r/it's", ['seg-00000.mkv', 'seg-00001.mkv'])).toBe(
      "ffconcat version 1.0\nfile '/r/it'\\''s/seg-00000.mkv'\nfile '/r/it'\\''s/seg-00001.mkv'\n",
    );
  });

  it('turns pause and resume marks into intervals, an unresumed pause lasting to the end', () => {
    expect(
      pausedIntervals(
        [
          { kind: 'resume', at: at(1) },
          { kind: 'pause', at: at(10) },
          { kind: 'pause', at: at(12) },
          { kind: 'resume', at: at(20.5) },
          { kind: 'screen-start', at: at(30) },
          { kind: 'pause', at: at(50) },
        ],
        origin,
        60,
      ),
    ).toEqual([
      [10, 20.5],
      [50, 60],
    ]);
  });
});
