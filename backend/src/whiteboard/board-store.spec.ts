import crypto from 'node:crypto';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { z } from 'zod';
import type { BoardOp } from '../contracts/whiteboard';
import { DomainError } from '../platform/domain-error';
import { waitFor } from '../testing/wait-for';
import { BoardStore, BoardStoreOptions } from './board-store.service';
import { RedisBoardLog } from './infra/redis-board-log';
import { applyOp, boardFromData, emptyBoard } from './domain/board';

/** The store on real Redis: many ops at once from several instances, ordered by Redis, applied alike by every copy. */
describe('whiteboard store: ops from several instances in one order (real Redis)', () => {
  let redis: Redis;
  const stores: BoardStore[] = [];
  /** One instance's store, with its own log (its own subscriber connection) and the hooks it is built with. */
  const store = (options: BoardStoreOptions = {}) => {
    const s = new BoardStore(new RedisBoardLog(redis), options);
    stores.push(s);
    return s;
  };
  beforeAll(() => {
    redis = new Redis(inject('services').redisUrl);
  });
  afterAll(() => {
    for (const s of stores) {
      s.close();
      s.log.close();
    }
    redis.disconnect();
  });

  const add = (id: string): BoardOp => ({
    type: 'add',
    opId: `op-${id}`,
    page: 'page-1',
    elementId: `el-${id}`,
    element: { kind: 'stroke', tool: 'pen', colour: '#112233', width: 2, points: [[1, 1]] },
  });

  it('gives 450 concurrent ops from two instances contiguous sequence numbers and one shared order, snapshots included', async () => {
    const sid = crypto.randomUUID();
    const a = store();
    const b = store();
    const ops = Array.from({ length: 450 }, (_, i) => ({ store: i % 2 ? a : b, op: add(String(i).padStart(4, '0')) }));
    const applied = await Promise.all(ops.map(({ store, op }) => store.apply(sid, 'u1', op)));
    expect(applied.map((x) => x.seq).sort((x, y) => x - y)).toEqual(Array.from({ length: 450 }, (_, i) => i + 1));
    // A retried op is applied once, whichever instance gets it.
    expect((await a.apply(sid, 'u1', ops[3].op)).duplicate).toBe(true);
    const [pa, pb] = [await a.pages(sid), await b.pages(sid)];
    expect(pa.seq).toBe(450);
    expect(pa.pages['page-1'].order).toHaveLength(450);
    expect(pb).toEqual(pa);
    // Two snapshots were taken (at 200 and 400): the log holds only what came after the last one.
    await waitFor(async () => Number(await redis.get(`wb:${sid}:snapshot-pos`)) >= 400, 'the second snapshot');
    expect(await redis.llen(`wb:${sid}:log`)).toBeLessThan(64);
    // A fresh instance (no cache) rebuilds the same board from snapshot + log.
    expect(await store().pages(sid)).toEqual(pa);
  });

  it('refuses a bad op in a batch with its code and applies the ops around it', async () => {
    const sid = crypto.randomUUID();
    const s = store();
    const bad: BoardOp = { type: 'append', opId: 'op-bad0', page: 'page-1', elementId: 'el-none', points: [[2, 2]] };
    const results = await Promise.allSettled([
      s.apply(sid, 'u1', add('a')),
      s.apply(sid, 'u1', add('b')),
      s.apply(sid, 'u1', bad),
      s.apply(sid, 'u1', add('c')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    const reason = (results[2] as PromiseRejectedResult).reason;
    expect(reason).toBeInstanceOf(DomainError);
    expect((results[3] as PromiseFulfilledResult<{ seq: number }>).value.seq).toBe(3);
    expect((await store().pages(sid)).pages['page-1'].order).toEqual(['el-a', 'el-b', 'el-c']);
  });

  it('notices a message lost from the stream and fills the gap from the log, in order, before going on', async () => {
    const sid = crypto.randomUUID();
    const a = store();
    const b = store();
    const sent: number[] = [];
    a.onApplied((_sid, entry) => sent.push(entry.seq));
    await a.apply(sid, 'u1', add('g1'));
    // An op logged while A's subscription was down: in the log, never on A's stream.
    const pos = await redis.incr(`wb:${sid}:head`);
    await redis.rpush(`wb:${sid}:log`, JSON.stringify({ pos, u: 'u2', o: add('g2'), i: 'elsewhere', t: 'lost' }));
    // The next op on the stream reveals the gap.
    await b.apply(sid, 'u1', add('g3'));
    await waitFor(async () => sent.length === 3, 'A to send all three');
    expect(sent).toEqual([1, 2, 3]);
    const caught = await a.since(sid, 0);
    expect(caught.entries.map((e) => e.op.opId)).toEqual(['op-g1', 'op-g2', 'op-g3']);
  });

  it('answers a client ahead of this instance (it drew on another) with the entries it lacks, not the whole board', async () => {
    const sid = crypto.randomUUID();
    const a = store();
    const b = store();
    await b.since(sid, 0);
    // B's stream is held up (its connection is not read for a moment) while A takes 40 ops.
    const bStream = (b.log as unknown as { sub: { stream: { pause(): void; resume(): void } } }).sub.stream;
    bStream.pause();
    const acks = await Promise.all(Array.from({ length: 40 }, (_, i) => a.apply(sid, 'u1', add(`ahead-${i}`))));
    const last = Math.max(...acks.map((x) => x.seq));
    const asked = b.since(sid, last - 2);
    setTimeout(() => bStream.resume(), 100);
    const answer = await asked;
    expect(answer.pages).toBeUndefined();
    expect(answer.seq).toBeGreaterThanOrEqual(last);
    expect(answer.entries.map((e) => e.seq)).toEqual(
      Array.from({ length: answer.seq - (last - 2) }, (_, i) => last - 1 + i),
    );
  });

  it('starts a board Redis has nothing of from its last save (no instance has a copy), and goes on from its seq', async () => {
    const sid = crypto.randomUUID();
    const saved = emptyBoard();
    applyOp(saved, 'u1', add('saved-1'));
    applyOp(saved, 'u1', add('saved-2'));
    const s = store({
      seed: async (id) =>
        id === sid ? { ...emptyBoard(), seq: saved.seq, pageOrder: saved.pageOrder, pages: saved.pages } : null,
    });
    expect((await s.apply(sid, 'u2', add('new-1'))).seq).toBe(3);
    expect((await store().pages(sid)).pages['page-1'].order).toEqual(['el-saved-1', 'el-saved-2', 'el-new-1']);
  });

  it('checks who may draw in the board\'s order: an op logged after "nobody" is refused, whichever instance has it, a teacher\'s is not', async () => {
    const sid = crypto.randomUUID();
    const a = store();
    const b = store();
    await b.since(sid, 0);
    await a.setPermissions(sid, { mode: 'nobody', userIds: [] });
    // B at once, before its copy has necessarily heard of the change.
    await expect(b.apply(sid, 'student', add('refused'))).rejects.toMatchObject({ code: 'DRAWING_NOT_ALLOWED' });
    expect((await b.apply(sid, 'teacher', add('teacher'), { teacher: true })).seq).toBe(1);
    await a.setPermissions(sid, { mode: 'named', userIds: ['grace'] });
    expect((await b.apply(sid, 'grace', add('named'))).seq).toBe(2);
    await expect(b.apply(sid, 'alan', add('not-named'))).rejects.toMatchObject({ code: 'DRAWING_NOT_ALLOWED' });
    expect((await a.pages(sid)).pages['page-1'].order).toEqual(['el-teacher', 'el-named']);
  });

  it('loads a board whose snapshot and log already hold ops on "__proto__" (logged by a server from before the rule): refused in replay, the rest intact, Object.prototype untouched', async () => {
    const protoNames = Object.getOwnPropertyNames(Object.prototype).sort();
    const sid = crypto.randomUUID();
    const k = (name: string) => `wb:${sid}:${name}`;
    const stroke = (id: string) =>
      `"${id}":{"kind":"stroke","tool":"pen","colour":"#112233","width":2,"points":[[1,1]],"author":"teacher"}`;
    // The snapshot at position 2, as an old server wrote it (JSON.stringify of its board): two strokes, and
    // the undo entry an earlier attack left (its redo patches "__proto__" again).
    const snapshot = `{"seq":2,"pageOrder":["page-1"],"pages":{"page-1":{"id":"page-1","title":"Page 1","order":["el-old-1","el-old-2"],"elements":{${stroke('el-old-1')},${stroke('el-old-2')}}}},"recentOps":["op-old-1","op-old-2"],"undo":{"student":[{"undo":[{"kind":"patch","page":"page-1","elementId":"__proto__","patch":{}}],"redo":[{"kind":"patch","page":"page-1","elementId":"__proto__","patch":{"colour":"#ff0000"}}]}]},"redo":{}}`;
    // The log after it: the attack of issue 12 and its kin (as APPEND logged them, unchecked), between two good ops.
    const entry = (pos: number, u: string, o: object) => JSON.stringify({ pos, u, o, i: 'old-server', t: `t-${pos}` });
    const log = [
      entry(3, 'teacher', add('new-1')),
      entry(4, 'student', {
        type: 'update',
        opId: 'op-attack-1',
        page: 'page-1',
        elementId: '__proto__',
        patch: { colour: '#ff0000' },
      }),
      entry(5, 'student', {
        type: 'update',
        opId: 'op-attack-2',
        page: 'page-1',
        elementId: 'constructor',
        patch: { colour: '#ff0000' },
      }),
      entry(6, 'student', {
        type: 'add',
        opId: 'op-attack-3',
        page: '__proto__',
        elementId: 'el-evil',
        element: { kind: 'text', colour: '#ff0000', size: 10, at: [0, 0], text: 'x' },
      }),
      entry(7, 'student', { type: 'add-page', opId: 'op-attack-4', page: 'prototype' }),
      entry(8, 'student', { type: 'undo', opId: 'op-attack-5' }),
      entry(9, 'student', { type: 'redo', opId: 'op-attack-6' }),
      entry(10, 'teacher', add('new-2')),
    ];
    await redis.mset(k('snapshot'), snapshot, k('snapshot-pos'), '2', k('head'), String(2 + log.length));
    await redis.rpush(k('log'), ...log);
    try {
      const s = store();
      // A fresh instance loads snapshot + log (a client far behind gets the pages).
      const answer = await s.since(sid, 0);
      expect(({} as Record<string, unknown>)['colour']).toBeUndefined();
      expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(protoNames);
      // A strict schema, like every one on the server, still parses.
      expect(z.object({ code: z.string() }).strict().safeParse({ code: 'abc' }).success).toBe(true);
      expect(answer.pages!.order).toEqual(['page-1']);
      expect(answer.pages!.pages['page-1'].order).toEqual(['el-old-1', 'el-old-2', 'el-new-1', 'el-new-2']);
      expect(Object.keys(answer.pages!.pages)).toEqual(['page-1']);
      expect(Object.keys(answer.pages!.pages['page-1'].elements)).toEqual([
        'el-old-1',
        'el-old-2',
        'el-new-1',
        'el-new-2',
      ]);
      // The refused ops took no sequence number; the attacker's undo and redo (of the entry in the snapshot) changed nothing.
      expect(answer.seq).toBe(6);
      // The board goes on: the next op gets the next number, and the save (read from the log) agrees.
      expect((await s.apply(sid, 'teacher', add('new-3'))).seq).toBe(7);
      const saved = await store().pages(sid);
      expect(saved.pages['page-1'].order).toEqual(['el-old-1', 'el-old-2', 'el-new-1', 'el-new-2', 'el-new-3']);
      expect(({} as Record<string, unknown>)['colour']).toBeUndefined();
      // And a new attempt through the store is refused with its code, on every copy.
      await expect(
        s.apply(sid, 'student', {
          type: 'update',
          opId: 'op-attack-7',
          page: 'page-1',
          elementId: '__proto__',
          patch: { colour: '#ff0000' },
        }),
      ).rejects.toMatchObject({ code: 'RESERVED_ID' });
      expect(({} as Record<string, unknown>)['colour']).toBeUndefined();
      expect(z.object({ code: z.string() }).strict().safeParse({ code: 'abc' }).success).toBe(true);
    } finally {
      // A failing run must not poison the tests after it.
      for (const key of Object.getOwnPropertyNames(Object.prototype))
        if (!protoNames.includes(key)) delete (Object.prototype as Record<string, unknown>)[key];
    }
  });

  it('starts a board from a last save holding reserved ids (saved before the rule): the rest intact, Object.prototype untouched', async () => {
    const sid = crypto.randomUUID();
    const stroke = (id: string) =>
      `"${id}":{"kind":"stroke","tool":"pen","colour":"#112233","width":2,"points":[[1,1]],"author":"u1"}`;
    // The row's pages as Postgres's jsonb hands them back (JSON.parse: own "__proto__" and "constructor" keys).
    const pages = JSON.parse(
      `{"page-1":{"id":"page-1","title":"Page 1","order":["el-saved-1","__proto__","constructor"],"elements":{${stroke('el-saved-1')},${stroke('__proto__')},${stroke('constructor')}}},"__proto__":{"id":"__proto__","title":"x","order":[],"elements":{}}}`,
    );
    // As the whiteboard module's seed reads a save.
    const s = store({
      seed: async (id) => (id === sid ? boardFromData({ seq: 4, pageOrder: ['page-1', '__proto__'], pages }) : null),
    });
    expect((await s.apply(sid, 'u2', add('new-1'))).seq).toBe(5);
    expect(({} as Record<string, unknown>)['colour']).toBeUndefined();
    const saved = await store().pages(sid);
    expect(saved.order).toEqual(['page-1']);
    expect(Object.keys(saved.pages)).toEqual(['page-1']);
    expect(saved.pages['page-1'].order).toEqual(['el-saved-1', 'el-new-1']);
    expect(Object.keys(saved.pages['page-1'].elements)).toEqual(['el-saved-1', 'el-new-1']);
  });

  it('hands each applied op to the gateway with a board whose pages serialise in the wire shape (the naive broadcast sends them)', async () => {
    const sid = crypto.randomUUID();
    const s = store();
    let sent = '';
    s.onApplied((_sid, _entry, board) => (sent = JSON.stringify(board)));
    await s.apply(sid, 'u1', add('view-1'));
    expect(JSON.parse(sent)).toEqual({
      seq: 1,
      pageOrder: ['page-1'],
      pages: {
        'page-1': {
          id: 'page-1',
          title: 'Page 1',
          order: ['el-view-1'],
          elements: { 'el-view-1': expect.objectContaining({ kind: 'stroke', author: 'u1' }) },
        },
      },
    });
  });

  it('never stalls: 900 ops from three instances arriving over time, with catch-ups and undos between them, all applied, boards identical', async () => {
    const sid = crypto.randomUUID();
    const three = [store(), store(), store()];
    let applied = 0;
    const jobs: Promise<unknown>[] = [];
    for (let i = 0; i < 900; i++) {
      if (Math.random() < 0.3) await new Promise((r) => setTimeout(r, 1));
      jobs.push(three[i % 3].apply(sid, `u${i % 7}`, add(`s${i}`)).then(() => applied++));
      if (i % 50 === 0) jobs.push(three[(i + 1) % 3].since(sid, 0));
      if (i % 97 === 0)
        jobs.push(three[i % 3].apply(sid, 'u1', { type: 'undo', opId: `undo-${i}` }).catch(() => undefined));
    }
    await Promise.race([
      Promise.all(jobs),
      new Promise((_, fail) => setTimeout(() => fail(new Error(`stalled: ${applied} of 900 applied`)), 30_000)),
    ]);
    expect(applied).toBe(900);
    const [p0, p1, p2] = await Promise.all(three.map((s) => s.pages(sid)));
    expect(p1).toEqual(p0);
    expect(p2).toEqual(p0);
  }, 60_000);
});
