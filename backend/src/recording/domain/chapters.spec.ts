import { describe, expect, it } from 'vitest';
import { buildChapters, chaptersToFfmetadata, chaptersToWebVtt, vttTime } from './chapters';

const origin = new Date('2026-12-04T09:00:00Z');
const at = (s: number) => new Date(origin.getTime() + s * 1000);

describe('chapters', () => {
  it('starts a chapter at page changes, screen shares, pauses and gaps, in time order', () => {
    const chapters = buildChapters(
      [
        { kind: 'screen-stop', at: at(300) },
        { kind: 'page', at: at(60), label: 'Page 2' },
        { kind: 'screen-start', at: at(120) },
        { kind: 'pause', at: at(400) },
        { kind: 'resume', at: at(460) },
        { kind: 'gap', at: at(500) },
      ],
      origin,
      600,
    );
    expect(chapters).toEqual([
      { start: 0, end: 60, title: 'Start of class' },
      { start: 60, end: 120, title: 'Page 2' },
      { start: 120, end: 300, title: 'Screen share' },
      { start: 300, end: 400, title: 'Screen share ended' },
      { start: 400, end: 460, title: 'Recording paused' },
      { start: 460, end: 500, title: 'Recording resumed' },
      { start: 500, end: 600, title: 'Recording gap' },
    ]);
  });

  it('marks where the class split into breakout rooms (named) and where it came back', () => {
    const chapters = buildChapters(
      [
        { kind: 'breakouts', at: at(100), label: 'Room 1, Room 2' },
        { kind: 'breakouts-end', at: at(400) },
        { kind: 'breakouts', at: at(450), label: null },
      ],
      origin,
      500,
    );
    expect(chapters.map((c) => [c.start, c.title])).toEqual([
      [0, 'Start of class'],
      [100, 'Breakout rooms: Room 1, Room 2'],
      [400, 'Back in the main room'],
      [450, 'Breakout rooms'],
    ]);
  });

  it('merges marks seconds apart, leaves out marks outside the recording, and titles an unnamed page', () => {
    expect(
      buildChapters(
        [
          { kind: 'page', at: at(1), label: 'Intro' },
          { kind: 'screen-start', at: at(100) },
          { kind: 'page', at: at(101.5), label: '' },
          { kind: 'pause', at: at(-30) },
          { kind: 'gap', at: at(200) },
        ],
        origin,
        200,
      ),
    ).toEqual([
      { start: 0, end: 100, title: 'Intro' },
      { start: 100, end: 200, title: 'Board page' },
    ]);
    expect(buildChapters([], origin, 0)).toEqual([]);
  });

  it('writes FFmetadata with escapes and a millisecond time base', () => {
    expect(
      chaptersToFfmetadata(
        [
          { start: 0, end: 61.5, title: 'Start of class' },
          { start: 61.5, end: 90, title: 'a=b; #1 \\ x' },
        ],
        'Physics; week 1',
      ),
    ).toBe(
      [
        ';FFMETADATA1',
        'title=Physics\\; week 1',
        '',
        '[CHAPTER]',
        'TIMEBASE=1/1000',
        'START=0',
        'END=61500',
        'title=Start of class',
        '',
        '[CHAPTER]',
        'TIMEBASE=1/1000',
        'START=61500',
        'END=90000',
        'title=a\\=b\\; \\#1 \\\\ x',
        '',
      ].join('\n'),
    );
  });

  it('writes WebVTT cues, text escaped, on one line', () => {
    expect(vttTime(3723.4567)).toBe('01:02:03.457');
    expect(
      chaptersToWebVtt([
        { start: 0, end: 5, title: 'Start' },
        { start: 5, end: 3600.25, title: 'x < y & z -->\n\nnext' },
      ]),
    ).toBe(
      'WEBVTT\n\n1\n00:00:00.000 --> 00:00:05.000\nStart\n\n2\n00:00:05.000 --> 01:00:00.250\nx &lt; y &amp; z --&gt; next\n',
    );
  });
});
