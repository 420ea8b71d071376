import { describe, expect, it } from 'vitest';
import { BoardOp, LIMITS, opSchema } from '../../contracts/whiteboard';
import { applyEffect, applyOp, Board, BoardError, emptyBoard, Effect } from './board';

let n = 0;
const opId = () => `op-${String(++n).padStart(6, '0')}`;
const stroke = (elementId: string, points: Array<[number, number]> = [[0, 0]]): BoardOp => ({
  type: 'add',
  opId: opId(),
  page: 'page-1',
  elementId,
  element: { kind: 'stroke', tool: 'pen', colour: '#112233', width: 2, points },
});
const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(BoardError);
    return (e as BoardError).code;
  }
  return 'OK';
};
const ids = (b: Board, page = 'page-1') => b.pages[page].order;

describe('whiteboard ops', () => {
  it('applies ops in order, one sequence number each, and a retried op once', () => {
    const b = emptyBoard();
    const add = stroke('stroke-aaaa');
    expect(applyOp(b, 'ada', add)).toMatchObject({ seq: 1, duplicate: false });
    expect(applyOp(b, 'ada', { type: 'append', opId: opId(), page: 'page-1', elementId: 'stroke-aaaa', points: [[1, 1], [2, 2]] }).seq).toBe(2);
    expect(applyOp(b, 'ada', add)).toEqual({ seq: 2, effects: [], duplicate: true });
    expect(b.pages['page-1'].elements['stroke-aaaa']).toMatchObject({ author: 'ada', points: [[0, 0], [1, 1], [2, 2]] });
  });

  it('undo reverts only my own last action, never yours; redo brings it back whole', () => {
    const b = emptyBoard();
    applyOp(b, 'ada', stroke('stroke-ada1'));
    applyOp(b, 'ada', { type: 'append', opId: opId(), page: 'page-1', elementId: 'stroke-ada1', points: [[5, 5]] });
    applyOp(b, 'grace', stroke('stroke-grace'));
    const undone = applyOp(b, 'ada', { type: 'undo', opId: opId() });
    expect(undone.effects).toEqual([{ kind: 'remove', page: 'page-1', elementIds: ['stroke-ada1'] }]);
    expect(ids(b)).toEqual(['stroke-grace']);
    applyOp(b, 'ada', { type: 'redo', opId: opId() });
    expect(ids(b)).toEqual(['stroke-grace', 'stroke-ada1']);
    expect(b.pages['page-1'].elements['stroke-ada1']).toMatchObject({ points: [[0, 0], [5, 5]] });
    expect(codeOf(() => applyOp(b, 'katherine', { type: 'undo', opId: opId() }))).toBe('NOTHING_TO_UNDO');
  });

  it('undoes a move, a deletion (in place) and a clear', () => {
    const b = emptyBoard();
    for (const id of ['el-one-1', 'el-two-2', 'el-three3']) applyOp(b, 'ada', stroke(id, [[10, 10]]));
    applyOp(b, 'grace', { type: 'update', opId: opId(), page: 'page-1', elementId: 'el-two-2', patch: { move: [5, -5], colour: '#ff0000' } });
    expect(b.pages['page-1'].elements['el-two-2']).toMatchObject({ points: [[15, 5]], colour: '#ff0000' });
    applyOp(b, 'grace', { type: 'undo', opId: opId() });
    expect(b.pages['page-1'].elements['el-two-2']).toMatchObject({ points: [[10, 10]], colour: '#112233' });

    applyOp(b, 'grace', { type: 'delete', opId: opId(), page: 'page-1', elementId: 'el-two-2' });
    expect(ids(b)).toEqual(['el-one-1', 'el-three3']);
    applyOp(b, 'grace', { type: 'undo', opId: opId() });
    expect(ids(b)).toEqual(['el-one-1', 'el-two-2', 'el-three3']);

    applyOp(b, 'ada', { type: 'clear-page', opId: opId(), page: 'page-1' });
    expect(ids(b)).toEqual([]);
    applyOp(b, 'ada', { type: 'undo', opId: opId() });
    expect(ids(b)).toEqual(['el-one-1', 'el-two-2', 'el-three3']);
  });

  it('refuses what does not fit the board, changing nothing', () => {
    const b = emptyBoard();
    applyOp(b, 'ada', stroke('stroke-ada1'));
    const before = JSON.stringify(b);
    expect(codeOf(() => applyOp(b, 'grace', { type: 'append', opId: opId(), page: 'page-1', elementId: 'stroke-ada1', points: [[1, 1]] }))).toBe('NOT_AUTHOR');
    expect(codeOf(() => applyOp(b, 'ada', { type: 'append', opId: opId(), page: 'page-1', elementId: 'missing-1', points: [[1, 1]] }))).toBe('ELEMENT_NOT_FOUND');
    expect(codeOf(() => applyOp(b, 'ada', { ...(stroke('stroke-x') as object), page: 'page-9' } as BoardOp))).toBe('PAGE_NOT_FOUND');
    expect(codeOf(() => applyOp(b, 'ada', stroke('stroke-ada1')))).toBe('ELEMENT_EXISTS');
    expect(JSON.stringify(b)).toBe(before);
  });

  it('caps the points of a stroke', () => {
    const b = emptyBoard();
    applyOp(b, 'ada', stroke('long-stroke'));
    const chunk = Array.from({ length: LIMITS.pointsPerOp }, (_, i) => [i, i] as [number, number]);
    let code = 'OK';
    for (let i = 0; i < 50 && code === 'OK'; i++) {
      code = codeOf(() => applyOp(b, 'ada', { type: 'append', opId: opId(), page: 'page-1', elementId: 'long-stroke', points: chunk }));
    }
    expect(code).toBe('STROKE_TOO_LONG');
    expect((b.pages['page-1'].elements['long-stroke'] as { points: unknown[] }).points.length).toBeLessThanOrEqual(LIMITS.pointsPerElement);
  });

  it('never changes an effect once returned (copies kept for catch-up stay as they were sent)', () => {
    const b = emptyBoard();
    const put = applyOp(b, 'ada', stroke('stroke-keep', [[0, 0]])).effects[0];
    const sent = JSON.stringify(put);
    applyOp(b, 'ada', { type: 'append', opId: opId(), page: 'page-1', elementId: 'stroke-keep', points: [[1, 1]] });
    expect(JSON.stringify(put)).toBe(sent);
    // And redo still brings the whole stroke back.
    applyOp(b, 'ada', { type: 'undo', opId: opId() });
    const redone = applyOp(b, 'ada', { type: 'redo', opId: opId() }).effects[0] as Extract<Effect, { kind: 'put' }>;
    expect((redone.element as { points: unknown[] }).points).toHaveLength(2);
  });

  it('lets a client rebuild the same board from the broadcast effects alone', () => {
    const server = emptyBoard();
    const client = emptyBoard();
    const broadcast: Effect[] = [];
    const ops: Array<[string, BoardOp]> = [
      ['ada', stroke('s-ada-01')],
      ['ada', { type: 'append', opId: opId(), page: 'page-1', elementId: 's-ada-01', points: [[3, 4]] }],
      ['ada', { type: 'add-page', opId: opId(), page: 'page-2' }],
      ['grace', { type: 'add', opId: opId(), page: 'page-2', elementId: 'txt-0001', element: { kind: 'text', colour: '#000000', size: 16, at: [1, 1], text: 'F = ma' } }],
      ['grace', { type: 'update', opId: opId(), page: 'page-2', elementId: 'txt-0001', patch: { text: 'F = m·a' } }],
      ['ada', { type: 'undo', opId: opId() }],
      ['grace', { type: 'undo', opId: opId() }],
    ];
    for (const [user, op] of ops) broadcast.push(...applyOp(server, user, op).effects);
    for (const e of broadcast) applyEffect(client, structuredClone(e));
    expect(client.pages).toEqual(server.pages);
    expect(client.pageOrder).toEqual(['page-1', 'page-2']);
  });
});

describe('op validation (the wire schema)', () => {
  const valid = stroke('stroke-ok1');
  it('accepts a valid op', () => expect(opSchema.safeParse(valid).success).toBe(true));
  it.each<[string, unknown]>([
    ['a bad colour', { ...valid, element: { ...(valid as { element: object }).element, colour: 'red' } }],
    ['a coordinate out of range', { ...valid, element: { ...(valid as { element: object }).element, points: [[1e9, 0]] } }],
    ['too many points in one op', { type: 'append', opId: 'op-abcdefgh', page: 'page-1', elementId: 'stroke-ok1', points: Array(LIMITS.pointsPerOp + 1).fill([0, 0]) }],
    ['an unknown op type', { type: 'explode', opId: 'op-abcdefgh' }],
    ['an id with odd characters', { ...valid, elementId: 'x y z <script>' }],
    ['an empty update', { type: 'update', opId: 'op-abcdefgh', page: 'page-1', elementId: 'stroke-ok1', patch: {} }],
    ['NaN coordinates', { ...valid, element: { ...(valid as { element: object }).element, points: [[NaN, 0]] } }],
  ])('refuses %s', (_name, op) => expect(opSchema.safeParse(op).success).toBe(false));
});
