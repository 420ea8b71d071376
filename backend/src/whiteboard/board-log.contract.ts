import crypto from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { BoardOp } from '../contracts/whiteboard';
import { waitFor } from '../testing/wait-for';
import type { BoardLog, LogMessage, OpToLog } from './board-log';
import { applyOp, boardToData, emptyBoard } from './domain/board';

/** Two handles on one log, as two instances have (for memory: the same object twice), and how to let them go. */
export interface LogPair {
  a: BoardLog;
  b: BoardLog;
  close(): void;
}

const add = (id: string): BoardOp => ({
  type: 'add',
  opId: `op-${id}`,
  page: 'page-1',
  elementId: `el-${id}`,
  element: { kind: 'stroke', tool: 'pen', colour: '#112233', width: 2, points: [[1, 1]] },
});
const op = (id: string, more: Partial<OpToLog> = {}): OpToLog => ({
  userId: 'u1',
  teacher: false,
  op: add(id),
  instance: 'test',
  token: `t-${id}`,
  ...more,
});
const ids = (ms: LogMessage[]) => ms.flatMap((m) => (m.kind === 'op' ? [m.entry.op.opId] : []));
const positions = (ms: LogMessage[]) => ms.flatMap((m) => (m.kind === 'op' ? [m.entry.pos] : []));

/**
 * What every BoardLog does, whatever keeps it: one case (or more) per numbered rule of PROTOCOL.md.
 * Run by board-log.spec.ts against the Redis log and the in-memory one.
 */
export function boardLogContract(name: string, make: () => LogPair): void {
  describe(`BoardLog contract: ${name}`, () => {
    const pairs: LogPair[] = [];
    const pair = () => {
      const p = make();
      pairs.push(p);
      return p;
    };
    afterAll(() => pairs.forEach((p) => p.close()));
    const sid = () => crypto.randomUUID();

    it('R1: gives the ops it logs positions 1, 2, 3… in the order given, and concurrent appends from two instances never share or skip one', async () => {
      const { a, b } = pair();
      const s = sid();
      expect(await a.append(s, 0, [op('a1'), op('a2')])).toEqual({ lost: false, positions: [1, 2] });
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).append(s, 0, [op(`c${i}-1`), op(`c${i}-2`)])),
      );
      const all = results.flatMap((r) => (r.lost ? [] : r.positions)).sort((x, y) => x - y);
      expect(all).toEqual(Array.from({ length: 40 }, (_, i) => i + 3));
      // Each call's ops sit next to each other, in the order given.
      for (const r of results) if (!r.lost) expect(r.positions[1]).toBe(r.positions[0] + 1);
      const loaded = await b.load(s);
      expect(loaded.ops.map((e) => e.pos)).toEqual(Array.from({ length: 42 }, (_, i) => i + 1));
    });

    it('R2: every follower hears each op logged after it started, once, in position order (the order load gives), with who sent it from where; after unfollowing, nothing', async () => {
      const { a, b } = pair();
      const s = sid();
      await a.append(s, 0, [op('before')]);
      const heardA: LogMessage[] = [];
      const heardB: LogMessage[] = [];
      const stopA = await a.follow(s, (m) => heardA.push(m));
      const stopB = await b.follow(s, (m) => heardB.push(m));
      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          (i % 2 ? a : b).append(s, 1, [op(`f${i}`, { socket: i === 3 ? 'sock-3' : undefined })]),
        ),
      );
      await waitFor(() => heardA.length === 10 && heardB.length === 10, 'both followers to hear ten ops');
      expect(positions(heardA)).toEqual(Array.from({ length: 10 }, (_, i) => i + 2));
      expect(ids(heardB)).toEqual(ids(heardA));
      expect(ids(heardA)).toEqual((await a.load(s)).ops.slice(1).map((e) => e.op.opId));
      const third = heardA.find((m) => m.kind === 'op' && m.entry.op.opId === 'op-f3');
      expect(third).toMatchObject({
        kind: 'op',
        entry: { userId: 'u1', instance: 'test', token: 't-f3', socket: 'sock-3' },
      });
      // Each follower has its own objects: a copy changing what it was given changes no other copy.
      expect(heardA[0]).not.toBe(heardB[0]);
      stopA();
      await b.append(s, 11, [op('after')]);
      await waitFor(() => heardB.length === 11, 'B to hear the op after A stopped');
      expect(heardA).toHaveLength(10);
      stopB();
    });

    it('R3: checks who may draw at append, in log order: "nobody" refuses all but teachers, "named" only those named; a refused op takes no position', async () => {
      const { a, b } = pair();
      const s = sid();
      expect(await a.permissions(s)).toEqual({ mode: 'everyone', userIds: [] });
      await a.setPermissions(s, { mode: 'nobody', userIds: [] });
      expect(await b.permissions(s)).toEqual({ mode: 'nobody', userIds: [] });
      expect(
        await b.append(s, 0, [
          op('n1', { userId: 'grace' }),
          op('n2', { userId: 'ada', teacher: true }),
          op('n3', { userId: 'grace' }),
        ]),
      ).toEqual({ lost: false, positions: [0, 1, 0] });
      await b.setPermissions(s, { mode: 'named', userIds: ['grace'] });
      expect(await a.append(s, 1, [op('m1', { userId: 'grace' }), op('m2', { userId: 'alan' })])).toEqual({
        lost: false,
        positions: [2, 0],
      });
      expect((await a.load(s)).ops.map((e) => e.op.opId)).toEqual(['op-n2', 'op-m1']);
    });

    it('R4: an append from a copy that holds positions, on a board the log has nothing of, logs nothing and says the board is lost', async () => {
      const { a } = pair();
      const s = sid();
      expect(await a.append(s, 7, [op('x')])).toEqual({ lost: true });
      expect(await a.load(s)).toEqual({ known: false, snapshotPos: 0, snapshot: null, ops: [] });
      // A copy that holds nothing starts the board.
      expect(await a.append(s, 0, [op('y')])).toEqual({ lost: false, positions: [1] });
    });

    it('R5: loads the snapshot, its position and the ops after it; a board never written is unknown and empty', async () => {
      const { a, b } = pair();
      const s = sid();
      expect(await b.load(s)).toEqual({ known: false, snapshotPos: 0, snapshot: null, ops: [] });
      await a.append(s, 0, [op('l1'), op('l2'), op('l3')]);
      const loaded = await b.load(s);
      expect(loaded.known).toBe(true);
      expect(loaded.snapshot).toBeNull();
      expect(loaded.ops.map((e) => [e.pos, e.op.opId])).toEqual([
        [1, 'op-l1'],
        [2, 'op-l2'],
        [3, 'op-l3'],
      ]);
    });

    it('R6: a snapshot replaces an older one and the ops it includes leave the log; followers hear of it; an older or equal one changes nothing', async () => {
      const { a, b } = pair();
      const s = sid();
      const heard: LogMessage[] = [];
      const stop = await b.follow(s, (m) => heard.push(m));
      await a.append(s, 0, [op('s1'), op('s2'), op('s3')]);
      const board = emptyBoard();
      applyOp(board, 'u1', add('s1'));
      applyOp(board, 'u1', add('s2'));
      expect(await a.snapshot(s, 2, boardToData(board))).toBe(true);
      expect(await b.snapshot(s, 2, boardToData(emptyBoard()))).toBe(false);
      expect(await b.snapshot(s, 1, boardToData(emptyBoard()))).toBe(false);
      const loaded = await b.load(s);
      expect(loaded.snapshotPos).toBe(2);
      expect(loaded.snapshot?.pages['page-1'].order).toEqual(['el-s1', 'el-s2']);
      expect(loaded.ops.map((e) => e.pos)).toEqual([3]);
      await waitFor(() => heard.some((m) => m.kind === 'snapshot'), 'the snapshot message');
      expect(heard.filter((m) => m.kind === 'snapshot')).toEqual([{ kind: 'snapshot', pos: 2 }]);
      // Positions go on after the snapshot.
      expect(await a.append(s, 3, [op('s4')])).toEqual({ lost: false, positions: [4] });
      stop();
    });

    it('R7: restore puts a board back only when the log has none, the first one in wins, and positions go on after it', async () => {
      const { a, b } = pair();
      const s = sid();
      const board = emptyBoard();
      applyOp(board, 'u1', add('r1'));
      const [first, second] = await Promise.all([
        a.restore(s, 5, boardToData(board)),
        b.restore(s, 9, boardToData(emptyBoard())),
      ]);
      expect([first, second].filter(Boolean)).toHaveLength(1);
      const winner = first ? 5 : 9;
      const loaded = await b.load(s);
      expect(loaded).toMatchObject({ known: true, snapshotPos: winner, ops: [] });
      expect(await a.append(s, winner, [op('r2')])).toEqual({ lost: false, positions: [winner + 1] });
      // A board the log has: restore changes nothing.
      expect(await a.restore(s, 50, boardToData(emptyBoard()))).toBe(false);
      expect((await a.load(s)).snapshotPos).toBe(winner);
    });

    it('R8: drop forgets the board and who may draw on it, and tells its followers', async () => {
      const { a, b } = pair();
      const s = sid();
      const heard: LogMessage[] = [];
      const stop = await b.follow(s, (m) => heard.push(m));
      await a.append(s, 0, [op('d1')]);
      await a.setPermissions(s, { mode: 'nobody', userIds: [] });
      await a.drop(s);
      await waitFor(() => heard.some((m) => m.kind === 'dropped'), 'the dropped message');
      expect(await b.load(s)).toEqual({ known: false, snapshotPos: 0, snapshot: null, ops: [] });
      expect(await b.permissions(s)).toEqual({ mode: 'everyone', userIds: [] });
      expect(await b.history(s, 0, 10)).toEqual([]);
      stop();
    });

    it('R15: the history keeps every op logged with its time, in position order, whatever snapshots dropped; refused ops are not in it', async () => {
      const { a, b } = pair();
      const s = sid();
      const before = Date.now();
      await a.append(s, 0, [op('h1'), op('h2')]);
      const board = emptyBoard();
      applyOp(board, 'u1', add('h1'));
      applyOp(board, 'u1', add('h2'));
      expect(await a.snapshot(s, 2, boardToData(board))).toBe(true);
      await a.setPermissions(s, { mode: 'nobody', userIds: [] });
      await b.append(s, 2, [op('h3'), op('h4', { teacher: true, userId: 't1' })]);
      const history = await b.history(s, 0, 100);
      expect(history.map((h) => [h.pos, h.userId, h.op.opId])).toEqual([
        [1, 'u1', 'op-h1'],
        [2, 'u1', 'op-h2'],
        [3, 't1', 'op-h4'],
      ]);
      for (const h of history) expect(h.at).toBeGreaterThanOrEqual(before - 1000);
      expect((await a.history(s, 1, 1)).map((h) => h.pos)).toEqual([2]);
    });
  });
}
