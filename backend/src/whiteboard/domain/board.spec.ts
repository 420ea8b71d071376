import { afterEach, describe, expect, it } from 'vitest';
import { BoardElement, BoardOp, LIMITS, opSchema } from '../../contracts/whiteboard';
import { applyEffect, applyOp, Board, BoardError, boardFromData, boardToData, emptyBoard, Effect } from './board';

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
const ids = (b: Board, page = 'page-1') => b.pages.get(page)!.order;

describe('whiteboard ops', () => {
  it('applies ops in order, one sequence number each, and a retried op once', () => {
    const b = emptyBoard();
    const add = stroke('stroke-aaaa');
    expect(applyOp(b, 'ada', add)).toMatchObject({ seq: 1, duplicate: false });
    expect(
      applyOp(b, 'ada', {
        type: 'append',
        opId: opId(),
        page: 'page-1',
        elementId: 'stroke-aaaa',
        points: [
          [1, 1],
          [2, 2],
        ],
      }).seq,
    ).toBe(2);
    expect(applyOp(b, 'ada', add)).toEqual({ seq: 2, effects: [], duplicate: true });
    expect(b.pages.get('page-1')!.elements.get('stroke-aaaa')).toMatchObject({
      author: 'ada',
      points: [
        [0, 0],
        [1, 1],
        [2, 2],
      ],
    });
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
    expect(b.pages.get('page-1')!.elements.get('stroke-ada1')).toMatchObject({
      points: [
        [0, 0],
        [5, 5],
      ],
    });
    expect(codeOf(() => applyOp(b, 'katherine', { type: 'undo', opId: opId() }))).toBe('NOTHING_TO_UNDO');
  });

  it('undoes a move, a deletion (in place) and a clear', () => {
    const b = emptyBoard();
    for (const id of ['el-one-1', 'el-two-2', 'el-three3']) applyOp(b, 'ada', stroke(id, [[10, 10]]));
    applyOp(b, 'grace', {
      type: 'update',
      opId: opId(),
      page: 'page-1',
      elementId: 'el-two-2',
      patch: { move: [5, -5], colour: '#ff0000' },
    });
    expect(b.pages.get('page-1')!.elements.get('el-two-2')).toMatchObject({ points: [[15, 5]], colour: '#ff0000' });
    applyOp(b, 'grace', { type: 'undo', opId: opId() });
    expect(b.pages.get('page-1')!.elements.get('el-two-2')).toMatchObject({ points: [[10, 10]], colour: '#112233' });

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
    const before = JSON.stringify(boardToData(b));
    expect(
      codeOf(() =>
        applyOp(b, 'grace', {
          type: 'append',
          opId: opId(),
          page: 'page-1',
          elementId: 'stroke-ada1',
          points: [[1, 1]],
        }),
      ),
    ).toBe('NOT_AUTHOR');
    expect(
      codeOf(() =>
        applyOp(b, 'ada', { type: 'append', opId: opId(), page: 'page-1', elementId: 'missing-1', points: [[1, 1]] }),
      ),
    ).toBe('ELEMENT_NOT_FOUND');
    expect(codeOf(() => applyOp(b, 'ada', { ...(stroke('stroke-x') as object), page: 'page-9' } as BoardOp))).toBe(
      'PAGE_NOT_FOUND',
    );
    expect(codeOf(() => applyOp(b, 'ada', stroke('stroke-ada1')))).toBe('ELEMENT_EXISTS');
    expect(JSON.stringify(boardToData(b))).toBe(before);
  });

  it('caps the points of a stroke', () => {
    const b = emptyBoard();
    applyOp(b, 'ada', stroke('long-stroke'));
    const chunk = Array.from({ length: LIMITS.pointsPerOp }, (_, i) => [i, i] as [number, number]);
    let code = 'OK';
    for (let i = 0; i < 50 && code === 'OK'; i++) {
      code = codeOf(() =>
        applyOp(b, 'ada', { type: 'append', opId: opId(), page: 'page-1', elementId: 'long-stroke', points: chunk }),
      );
    }
    expect(code).toBe('STROKE_TOO_LONG');
    expect(
      (b.pages.get('page-1')!.elements.get('long-stroke') as { points: unknown[] }).points.length,
    ).toBeLessThanOrEqual(LIMITS.pointsPerElement);
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
      [
        'grace',
        {
          type: 'add',
          opId: opId(),
          page: 'page-2',
          elementId: 'txt-0001',
          element: { kind: 'text', colour: '#000000', size: 16, at: [1, 1], text: 'F = ma' },
        },
      ],
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
    [
      'a coordinate out of range',
      { ...valid, element: { ...(valid as { element: object }).element, points: [[1e9, 0]] } },
    ],
    [
      'too many points in one op',
      {
        type: 'append',
        opId: 'op-abcdefgh',
        page: 'page-1',
        elementId: 'stroke-ok1',
        points: Array(LIMITS.pointsPerOp + 1).fill([0, 0]),
      },
    ],
    ['an unknown op type', { type: 'explode', opId: 'op-abcdefgh' }],
    ['an id with odd characters', { ...valid, elementId: 'x y z <script>' }],
    ['an empty update', { type: 'update', opId: 'op-abcdefgh', page: 'page-1', elementId: 'stroke-ok1', patch: {} }],
    ['NaN coordinates', { ...valid, element: { ...(valid as { element: object }).element, points: [[NaN, 0]] } }],
  ])('refuses %s', (_name, op) => expect(opSchema.safeParse(op).success).toBe(false));
});

/**
 * Ids are data (issue 12): one student's `update` of element `__proto__` used to set Object.prototype.colour,
 * after which every strict schema on the server refused every payload. Every op type, with each reserved
 * name as element id, page id and op id, is refused with RESERVED_ID, changes nothing, and leaves
 * Object.prototype as it was; names every object has (`toString`, `hasOwnProperty`) are ordinary ids.
 */
describe('ids are data, never keys of plain objects', () => {
  const RESERVED = ['__proto__', 'constructor', 'prototype'];
  const protoNames = Object.getOwnPropertyNames(Object.prototype).sort();
  const untouched = () => {
    expect(({} as Record<string, unknown>)['colour']).toBeUndefined();
    expect(({} as Record<string, unknown>)['points']).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(protoNames);
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
  };
  afterEach(() => {
    // A failing run must not poison the tests after it.
    for (const k of Object.getOwnPropertyNames(Object.prototype))
      if (!protoNames.includes(k)) delete (Object.prototype as Record<string, unknown>)[k];
  });

  const text: BoardElement = { kind: 'text', colour: '#000000', size: 16, at: [1, 1], text: 'x' };
  const opsNaming = (r: string): Array<[string, BoardOp]> => [
    [
      'update (the attack as sent)',
      { type: 'update', opId: opId(), page: 'page-1', elementId: r, patch: { colour: '#ff0000' } },
    ],
    [
      'update on a reserved page',
      { type: 'update', opId: opId(), page: r, elementId: 'el-real1', patch: { colour: '#ff0000', move: [1, 1] } },
    ],
    ['add', { type: 'add', opId: opId(), page: 'page-1', elementId: r, element: { ...text } }],
    ['add on a reserved page', { type: 'add', opId: opId(), page: r, elementId: 'el-new-1', element: { ...text } }],
    ['append', { type: 'append', opId: opId(), page: 'page-1', elementId: r, points: [[1, 1]] }],
    ['append on a reserved page', { type: 'append', opId: opId(), page: r, elementId: 'el-real1', points: [[1, 1]] }],
    ['delete', { type: 'delete', opId: opId(), page: 'page-1', elementId: r }],
    ['delete on a reserved page', { type: 'delete', opId: opId(), page: r, elementId: 'el-real1' }],
    ['clear-page', { type: 'clear-page', opId: opId(), page: r }],
    ['add-page', { type: 'add-page', opId: opId(), page: r, title: 'x' }],
    ['undo with a reserved op id', { type: 'undo', opId: r }],
    ['redo with a reserved op id', { type: 'redo', opId: r }],
  ];

  it.each(RESERVED)('refuses every op naming %s, changes nothing, and leaves Object.prototype alone', (r) => {
    const start = () => {
      const board = emptyBoard();
      applyOp(board, 'ada', {
        type: 'add',
        opId: 'op-real-add',
        page: 'page-1',
        elementId: 'el-real1',
        element: { kind: 'stroke', tool: 'pen', colour: '#112233', width: 2, points: [[0, 0]] },
      });
      return board;
    };
    const b = start();
    for (const [name, op] of opsNaming(r)) {
      let code = 'OK';
      try {
        applyOp(b, 'ada', op);
      } catch (e) {
        code = (e as BoardError).code;
      }
      untouched();
      expect([name, code]).toEqual([name, 'RESERVED_ID']);
    }
    // Nothing changed: the board is the one it was before the first of them.
    const state = (x: Board) => ({
      seq: x.seq,
      pageOrder: x.pageOrder,
      pages: x.pages,
      recentOps: x.recentOps,
      undo: x.undo,
      redo: x.redo,
    });
    expect(state(b)).toEqual(state(start()));
  });

  it('refuses effects naming a reserved id (a client applying what a server sent)', () => {
    const b = emptyBoard();
    for (const r of RESERVED) {
      const effects: Effect[] = [
        { kind: 'patch', page: 'page-1', elementId: r, patch: { colour: '#ff0000' } },
        { kind: 'put', page: 'page-1', elementId: r, element: { ...text, author: 'x' } },
        { kind: 'append', page: 'page-1', elementId: r, points: [[1, 1]] },
        { kind: 'remove', page: 'page-1', elementIds: ['el-x-1', r] },
        { kind: 'add-page', page: r, title: 'x' },
        { kind: 'put', page: r, elementId: 'el-x-1', element: { ...text, author: 'x' } },
      ];
      for (const e of effects)
        expect(() => applyEffect(b, e)).toThrow(expect.objectContaining({ code: 'RESERVED_ID' }));
    }
    untouched();
    expect([...b.pages.keys()]).toEqual(['page-1']);
  });

  it('keeps a patch carrying an own "__proto__" key (as JSON.parse makes it) from reaching any prototype', () => {
    const b = emptyBoard();
    applyOp(b, 'ada', { type: 'add', opId: opId(), page: 'page-1', elementId: 'el-real1', element: { ...text } });
    const op = JSON.parse(
      `{"type":"update","opId":"${opId()}","page":"page-1","elementId":"el-real1","patch":{"__proto__":{"colour":"#ff0000","text":"pwned"},"colour":"#00ff00"}}`,
    ) as BoardOp;
    const applied = applyOp(b, 'ada', op);
    untouched();
    expect(b.pages.get('page-1')!.elements.get('el-real1')).toMatchObject({ colour: '#00ff00', text: 'x' });
    // Through the effects and a client's copy too.
    const client = emptyBoard();
    applyEffect(client, { kind: 'put', page: 'page-1', elementId: 'el-real1', element: { ...text, author: 'ada' } });
    for (const e of JSON.parse(JSON.stringify(applied.effects)) as Effect[]) applyEffect(client, e);
    untouched();
    expect(client.pages.get('page-1')!.elements.get('el-real1')).toMatchObject({ colour: '#00ff00', text: 'x' });
  });

  it('treats names every object has (toString, hasOwnProperty, valueOf) as ordinary ids', () => {
    const b = emptyBoard();
    for (const id of ['toString', 'hasOwnProperty', 'valueOf']) {
      applyOp(b, 'ada', { type: 'add-page', opId: opId(), page: id });
      applyOp(b, 'ada', { type: 'add', opId: opId(), page: id, elementId: id, element: { ...text } });
      applyOp(b, 'ada', { type: 'update', opId: opId(), page: id, elementId: id, patch: { colour: '#ff0000' } });
      expect(b.pages.get(id)!.elements.get(id)).toMatchObject({ colour: '#ff0000' });
      applyOp(b, 'ada', { type: 'delete', opId: opId(), page: id, elementId: id });
      expect(b.pages.get(id)!.order).toEqual([]);
    }
    untouched();
    expect(b.pageOrder).toEqual(['page-1', 'toString', 'hasOwnProperty', 'valueOf']);
  });

  it('loads a board saved with reserved ids (by a server from before the rule): the rest intact, Object.prototype untouched', () => {
    // As an old server's snapshot could hold it: JSON with own "__proto__"/"constructor" keys, and the undo
    // entry the attack left (its redo sets the colour again).
    const el = (id: string) =>
      `"${id}":{"kind":"stroke","tool":"pen","colour":"#112233","width":2,"points":[[0,0]],"author":"ada"}`;
    const saved = JSON.parse(`{
      "seq": 7, "pageOrder": ["page-1", "__proto__", "constructor"],
      "pages": {
        "page-1": {"id":"page-1","title":"Page 1","order":["el-a-1","__proto__","constructor","el-b-1"],"elements":{${el('el-a-1')},${el('__proto__')},${el('constructor')},${el('el-b-1')}}},
        "__proto__": {"id":"__proto__","title":"x","order":[],"elements":{}},
        "constructor": {"id":"constructor","title":"x","order":[],"elements":{}}
      },
      "recentOps": ["op-old-1"],
      "undo": {"grace": [{"undo":[{"kind":"patch","page":"page-1","elementId":"__proto__","patch":{}}],"redo":[{"kind":"patch","page":"page-1","elementId":"__proto__","patch":{"colour":"#ff0000"}}]}],
               "__proto__": [{"undo":[],"redo":[]}]},
      "redo": {}
    }`);
    const b = boardFromData(saved);
    untouched();
    expect(b.seq).toBe(7);
    expect(b.pageOrder).toEqual(['page-1']);
    expect([...b.pages.keys()]).toEqual(['page-1']);
    expect(b.pages.get('page-1')!.order).toEqual(['el-a-1', 'el-b-1']);
    expect([...b.pages.get('page-1')!.elements.keys()]).toEqual(['el-a-1', 'el-b-1']);
    // The attacker's undo, then redo, touch nothing.
    expect(applyOp(b, 'grace', { type: 'undo', opId: opId() }).effects).toEqual([]);
    expect(applyOp(b, 'grace', { type: 'redo', opId: opId() }).effects).toEqual([]);
    untouched();
    // And the board goes on, and round-trips through JSON as it was.
    applyOp(b, 'ada', {
      type: 'update',
      opId: opId(),
      page: 'page-1',
      elementId: 'el-b-1',
      patch: { colour: '#00ff00' },
    });
    const again = boardFromData(JSON.parse(JSON.stringify(boardToData(b))));
    expect(again.pages).toEqual(b.pages);
    expect(again.undo).toEqual(b.undo);
    expect(again.seq).toBe(b.seq);
  });
});
