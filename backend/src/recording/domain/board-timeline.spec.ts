import { describe, expect, it } from 'vitest';
import type { BoardOp } from '../../contracts/whiteboard';
import { BoardPlayback, buildBoardTimeline, TimedOp } from './board-timeline';

const origin = new Date('2026-12-04T09:00:00Z');
const stroke = (id: string, page = 'page-1'): BoardOp => ({
  type: 'add',
  opId: `op-${id}`,
  page,
  elementId: id,
  element: { kind: 'stroke', tool: 'pen', colour: '#000000', width: 2, points: [[0, 0]] },
});

describe('board timeline', () => {
  const ops: TimedOp[] = [
    {
      pos: 2,
      at: origin.getTime() + 2000,
      userId: 't',
      op: { type: 'append', opId: 'op-a2', page: 'page-1', elementId: 's1', points: [[5, 5]] },
    },
    { pos: 1, at: origin.getTime() + 1000, userId: 't', op: stroke('s1') },
    {
      pos: 3,
      at: origin.getTime() + 3000,
      userId: 'st',
      op: { type: 'delete', opId: 'op-d', page: 'page-1', elementId: 'nope' },
    },
    {
      pos: 4,
      at: origin.getTime() + 4000,
      userId: 't',
      op: { type: 'add-page', opId: 'op-p2', page: 'page-2', title: 'Example' },
    },
    { pos: 5, at: origin.getTime() + 5000, userId: 't', op: stroke('s2', 'page-2') },
    { pos: 6, at: origin.getTime() + 6000, userId: 't', op: { type: 'undo', opId: 'op-u' } },
  ];

  it('replays the log in position order, refused ops leaving nothing, with times from the origin', () => {
    const tl = buildBoardTimeline(ops, [{ page: 'page-2', at: new Date(origin.getTime() + 4500) }], origin);
    expect(tl.events.map((e) => [e.t, e.effects.map((x) => x.kind)])).toEqual([
      [1, ['put']],
      [2, ['append']],
      [4, ['add-page']],
      [5, ['put']],
      [6, ['remove']],
    ]);
    expect(tl.focus).toEqual([{ t: 4.5, page: 'page-2' }]);
    expect(tl.pages).toEqual([
      { id: 'page-1', title: 'Page 1' },
      { id: 'page-2', title: 'Example' },
    ]);
  });

  it('follows the page last drawn on when the teacher never turned a page', () => {
    expect(buildBoardTimeline(ops, [], origin).focus).toEqual([
      { t: 1, page: 'page-1' },
      { t: 5, page: 'page-2' },
    ]);
  });

  it('gives the board at any time, forward and after a seek back', () => {
    const play = new BoardPlayback(
      buildBoardTimeline(ops, [{ page: 'page-2', at: new Date(origin.getTime() + 4500) }], origin),
    );
    expect(play.at(0.5).board.pages.get('page-1')!.order).toEqual([]);
    const at2 = play.at(2);
    expect(at2.changed).toBe(true);
    expect(at2.page).toBe('page-1');
    expect(at2.board.pages.get('page-1')!.elements.get('s1')).toMatchObject({
      points: [
        [0, 0],
        [5, 5],
      ],
    });
    expect(play.at(2.1).changed).toBe(false);
    const at5 = play.at(5);
    expect(at5.page).toBe('page-2');
    expect(at5.board.pages.get('page-2')!.order).toEqual(['s2']);
    expect(play.at(7).board.pages.get('page-2')!.order).toEqual([]);
    const back = play.at(1);
    expect(back.changed).toBe(true);
    expect(back.board.pages.get('page-1')!.elements.get('s1')).toMatchObject({ points: [[0, 0]] });
    expect(back.board.pages.has('page-2')).toBe(false);
  });
});
