import crypto from 'node:crypto';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import { ClientEvents } from '../contracts/realtime';
import { BoardOp, MIN_WHITEBOARD_PROTOCOL, WHITEBOARD_PROTOCOL, WhiteboardEvents } from '../contracts/whiteboard';
import { LaunchClient } from '../testing/lti-client';
import { RoomClient } from '../testing/room-client';
import type { TestApp } from '../testing/test-app';
import { startTestDeployment, type TestDeployment } from '../testing/test-deployment';
import { waitFor } from '../testing/wait-for';
import { applyEffect, Effect, emptyBoard, PageData, pagesToData } from './domain/board';

type EffectsMsg = { seq: number; userId: string; effects: Effect[] };
type SyncData = { pages?: { order: string[]; pages: Record<string, PageData> }; entries: Array<{ effects: Effect[] }> };
/** The board a sync answer describes: its pages, or the board its entries build. */
const pagesOf = (data: SyncData) => {
  if (data.pages) return data.pages;
  const board = emptyBoard();
  for (const e of data.entries) for (const x of e.effects) applyEffect(board, x);
  return { order: board.pageOrder, pages: pagesToData(board) };
};
let n = 0;
const opId = () => `op-${crypto.randomBytes(6).toString('hex')}-${++n}`;

describe('whiteboard over the live room, two instances on one Redis', () => {
  let deployment: TestDeployment;
  let a: TestApp;
  let b: TestApp;
  let launch: LaunchClient;
  let sessionId: string;
  let teacher: RoomClient;
  let student: RoomClient;
  const received: EffectsMsg[] = [];

  const emit = (c: RoomClient, event: string, payload: unknown) =>
    c.socket.timeout(5000).emitWithAck(event, payload) as Promise<{
      ok: boolean;
      data?: any;
      error?: { code: string; message?: string };
    }>;

  beforeAll(async () => {
    // Instance B of the same deployment: same public URL (behind one balancer), its own port.
    deployment = await startTestDeployment();
    [a, b] = deployment.apps as [TestApp, TestApp];
    launch = new LaunchClient(a);
    const teacherToken = await launch.launch('phys-101', 'dev-ada');
    const studentToken = await launch.launch('phys-101', 'dev-grace');
    sessionId = (
      (await (await launch.api('/api/classroom/sessions', teacherToken, { method: 'POST' })).json()) as {
        session: { id: string };
      }
    ).session.id;
    teacher = new RoomClient(`http://localhost:${a.config.port}`, teacherToken);
    student = new RoomClient(`http://localhost:${b.config.port}`, studentToken);
    await Promise.all([teacher.connected(), student.connected()]);
    for (const c of [teacher, student]) expect((await c.emit(ClientEvents.join, { sessionId })).ok).toBe(true);
    student.socket.on(WhiteboardEvents.effects, (m: EffectsMsg) => received.push(m));
  });
  afterAll(async () => {
    teacher?.close();
    student?.close();
    await deployment?.close();
  });

  it('sends only the deltas of a stroke drawn on one instance to a client on the other, in order', async () => {
    const elementId = `stroke-${crypto.randomBytes(4).toString('hex')}`;
    const ops: BoardOp[] = [
      {
        type: 'add',
        opId: opId(),
        page: 'page-1',
        elementId,
        element: { kind: 'stroke', tool: 'pen', colour: '#1d4ed8', width: 3, points: [[0, 0]] },
      },
      ...Array.from(
        { length: 5 },
        (_, i) => ({ type: 'append', opId: opId(), page: 'page-1', elementId, points: [[i + 1, i + 1]] }) as BoardOp,
      ),
    ];
    for (const op of ops) expect((await emit(teacher, WhiteboardEvents.op, op)).ok).toBe(true);
    await waitFor(async () => received.length >= ops.length, 'every delta on the other instance');
    const seqs = received.map((m) => m.seq);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    // The student's copy, built from the deltas alone, has the whole stroke.
    const board = emptyBoard();
    for (const m of received) for (const e of m.effects) applyEffect(board, e);
    expect((board.pages.get('page-1')!.elements.get(elementId) as { points: unknown[] }).points).toHaveLength(6);
    // An append travels as its few new points, not as the stroke.
    expect(JSON.stringify(received.at(-1)).length).toBeLessThan(300);
  });

  it('applies a retried op once', async () => {
    const op: BoardOp = {
      type: 'add',
      opId: opId(),
      page: 'page-1',
      elementId: `shape-${n}`,
      element: { kind: 'shape', tool: 'rectangle', colour: '#000000', width: 2, from: [0, 0], to: [5, 5] },
    };
    const first = await emit(teacher, WhiteboardEvents.op, op);
    const again = await emit(teacher, WhiteboardEvents.op, op);
    expect(first.data.duplicate).toBe(false);
    expect(again.data).toMatchObject({ duplicate: true, seq: first.data.seq });
  });

  it('refuses the attack of issue 12 (an update of element "__proto__") with a code; Object.prototype, strict schemas and launches unharmed', async () => {
    const protoNames = Object.getOwnPropertyNames(Object.prototype).sort();
    try {
      const { data: before } = await emit(teacher, WhiteboardEvents.sync, { since: 0 });
      for (const elementId of ['__proto__', 'constructor', 'prototype']) {
        const ack = await emit(student, WhiteboardEvents.op, {
          type: 'update',
          opId: opId(),
          page: 'page-1',
          elementId,
          patch: { colour: '#ff0000' },
        });
        expect(ack).toMatchObject({
          ok: false,
          error: { code: 'INVALID_PAYLOAD', message: expect.stringContaining('elementId: is a reserved name') },
        });
      }
      expect(({} as Record<string, unknown>)['colour']).toBeUndefined();
      expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(protoNames);
      expect(z.object({ code: z.string() }).strict().safeParse({ code: 'abc' }).success).toBe(true);
      // Strict schemas on both instances still take payloads: a launch code is still traded for a session, the board still syncs.
      expect(await launch.launch('phys-101', 'dev-grace')).toEqual(expect.any(String));
      expect((await emit(student, WhiteboardEvents.sync, { since: 0 })).data.seq).toBe(before.seq);
    } finally {
      for (const key of Object.getOwnPropertyNames(Object.prototype))
        if (!protoNames.includes(key)) delete (Object.prototype as Record<string, unknown>)[key];
    }
  });

  it('lets the teacher decide who draws, and keeps pages for the teacher', async () => {
    const op = (): BoardOp => ({
      type: 'add',
      opId: opId(),
      page: 'page-1',
      elementId: `s-${crypto.randomBytes(4).toString('hex')}`,
      element: { kind: 'stroke', tool: 'pen', colour: '#000000', width: 1, points: [[1, 1]] },
    });
    expect((await emit(student, WhiteboardEvents.op, op())).ok).toBe(true);
    expect((await emit(teacher, WhiteboardEvents.permissions, { mode: 'nobody', userIds: [] })).ok).toBe(true);
    expect(await emit(student, WhiteboardEvents.op, op())).toMatchObject({
      ok: false,
      error: { code: 'DRAWING_NOT_ALLOWED' },
    });
    expect(await emit(student, WhiteboardEvents.permissions, { mode: 'everyone', userIds: [] })).toMatchObject({
      ok: false,
      error: { code: 'TEACHER_ONLY' },
    });
    expect(await emit(student, WhiteboardEvents.op, { type: 'add-page', opId: opId(), page: 'page-9' })).toMatchObject({
      ok: false,
      error: { code: 'TEACHER_ONLY' },
    });
    expect(await emit(student, WhiteboardEvents.op, { type: 'add', opId: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_PAYLOAD' },
    });
    expect((await emit(teacher, WhiteboardEvents.permissions, { mode: 'everyone', userIds: [] })).ok).toBe(true);
    expect((await emit(student, WhiteboardEvents.op, op())).ok).toBe(true);
  });

  it('R14: serves a client that sends the current whiteboard protocol (or none: protocol 1), refuses an older one WB_PROTOCOL_OUTDATED and a newer one WB_PROTOCOL_UNSUPPORTED', async () => {
    const current = await emit(student, WhiteboardEvents.sync, { since: 0, protocol: WHITEBOARD_PROTOCOL });
    expect(current.ok).toBe(true);
    expect((await emit(student, WhiteboardEvents.sync, { since: 0 })).data.seq).toBe(current.data.seq);
    const old = await emit(student, WhiteboardEvents.sync, { since: 0, protocol: MIN_WHITEBOARD_PROTOCOL - 1 });
    expect(old).toMatchObject({ ok: false, error: { code: 'WB_PROTOCOL_OUTDATED' } });
    expect((old.error as { message: string }).message).toMatch(/reload the page/i);
    expect(await emit(teacher, WhiteboardEvents.sync, { since: 0, protocol: WHITEBOARD_PROTOCOL + 1 })).toMatchObject({
      ok: false,
      error: { code: 'WB_PROTOCOL_UNSUPPORTED' },
    });
    // Still a number: anything else is a bad payload, not a version.
    expect(await emit(student, WhiteboardEvents.sync, { since: 0, protocol: 'latest' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_PAYLOAD' },
    });
  });

  it('brings a reconnecting client up to date from its last sequence, and follows the teacher to page 2', async () => {
    const { data: before } = await emit(student, WhiteboardEvents.sync, { since: 0 });
    const mark = before.seq as number;
    expect((await emit(teacher, WhiteboardEvents.op, { type: 'add-page', opId: opId(), page: 'page-2' })).ok).toBe(
      true,
    );
    const seen = new Promise((r) => student.socket.once(WhiteboardEvents.teacherView, r));
    expect(
      (await emit(teacher, WhiteboardEvents.follow, { page: 'page-2', x: 0, y: 0, zoom: 1, locked: true })).ok,
    ).toBe(true);
    expect(await seen).toMatchObject({ page: 'page-2', locked: true });
    const { data: caught } = await emit(student, WhiteboardEvents.sync, { since: mark });
    expect(caught.entries.map((e: { op: BoardOp }) => e.op.type)).toEqual(['add-page']);
    expect(caught.teacherView).toMatchObject({ page: 'page-2' });
  });

  it('saves the board to Postgres at a page change, during class', async () => {
    const saved = await waitFor(
      async () =>
        (
          (await a.db.query(`SELECT seq, page_order FROM whiteboard_snapshot WHERE session_id = $1`, [
            sessionId,
          ])) as Array<{ seq: number; page_order: string[] }>
        )[0],
      'the save at the page change',
    );
    expect(saved.page_order).toEqual(['page-1', 'page-2']);
    // Not yet among the past classes: the class is still going.
    const list = (await (
      await launch.api('/api/whiteboard/sessions', await launch.launch('phys-101', 'dev-ada'))
    ).json()) as unknown[];
    expect(list).toEqual([]);
  });

  it('keeps the board when Redis loses it mid-class: the instances put their copy back and drawing goes on', async () => {
    const before = (await emit(student, WhiteboardEvents.sync, { since: 0 })).data;
    const redis = new Redis(inject('services').redisUrl);
    await redis.del(...['head', 'log', 'snapshot', 'snapshot-pos'].map((k) => `wb:${sessionId}:${k}`));
    redis.disconnect();
    const elementId = `after-${crypto.randomBytes(4).toString('hex')}`;
    const ack = await emit(teacher, WhiteboardEvents.op, {
      type: 'add',
      opId: opId(),
      page: 'page-1',
      elementId,
      element: { kind: 'stroke', tool: 'pen', colour: '#000000', width: 1, points: [[3, 3]] },
    });
    expect(ack).toMatchObject({ ok: true, data: { seq: before.seq + 1 } });
    await waitFor(
      async () => received.some((m) => m.seq === before.seq + 1),
      'the student to get the stroke drawn after the loss',
    );
    // A newcomer (no copy of its own) gets the whole board: what was there before, and the new stroke.
    const fresh = new RoomClient(`http://localhost:${b.config.port}`, await launch.launch('phys-101', 'dev-alan'));
    await fresh.connected();
    expect((await fresh.emit(ClientEvents.join, { sessionId })).ok).toBe(true);
    const after = pagesOf((await emit(fresh, WhiteboardEvents.sync, { since: 0 })).data);
    expect(after.order).toEqual(['page-1', 'page-2']);
    expect(after.pages['page-1'].order).toEqual([...pagesOf(before).pages['page-1'].order, elementId]);
    fresh.close();
  });

  it('survives a long class: a client far behind gets the pages from the snapshot', async () => {
    const elementId = `long-${crypto.randomBytes(4).toString('hex')}`;
    await emit(teacher, WhiteboardEvents.op, {
      type: 'add',
      opId: opId(),
      page: 'page-1',
      elementId,
      element: { kind: 'stroke', tool: 'pen', colour: '#000000', width: 1, points: [[0, 0]] },
    });
    for (let i = 0; i < 210; i++)
      await emit(teacher, WhiteboardEvents.op, {
        type: 'append',
        opId: opId(),
        page: 'page-1',
        elementId,
        points: [[i, i]],
      });
    const { data } = await emit(student, WhiteboardEvents.sync, { since: 1 });
    expect(data.pages.order).toEqual(['page-1', 'page-2']);
    expect(data.pages.pages['page-1'].elements[elementId].points).toHaveLength(211);
  });

  it('keeps the board after class, read-only, with its page changes', async () => {
    const teacherToken = await launch.launch('phys-101', 'dev-ada');
    // Saved during class (at the page change), but a live board is reached through the live room only.
    await waitFor(
      async () => (await a.db.query(`SELECT 1 FROM whiteboard_snapshot WHERE session_id = $1`, [sessionId])).length > 0,
      'a save during class',
    );
    expect((await launch.api(`/api/whiteboard/sessions/${sessionId}`, teacherToken)).status).toBe(404);
    expect(
      (await launch.api(`/api/classroom/sessions/${sessionId}/end`, teacherToken, { method: 'POST' })).status,
    ).toBe(200);
    const saved = await waitFor(async () => {
      const res = await launch.api(`/api/whiteboard/sessions/${sessionId}`, teacherToken);
      return res.status === 200
        ? ((await res.json()) as { order: string[]; pageChanges: Array<{ page: string }> })
        : null;
    }, 'the saved board');
    expect(saved.order).toEqual(['page-1', 'page-2']);
    expect(saved.pageChanges.map((c) => c.page)).toEqual(['page-2']);
    const list = (await (await launch.api('/api/whiteboard/sessions', teacherToken)).json()) as Array<{
      sessionId: string;
      pages: number;
    }>;
    expect(list).toEqual([expect.objectContaining({ sessionId, pages: 2 })]);
    const other = await launch.launch('hist-210', 'dev-katherine');
    expect((await launch.api(`/api/whiteboard/sessions/${sessionId}`, other)).status).toBe(404);
  });

  it('reads a saved board holding reserved ids (saved before the rule) without them, the rest intact', async () => {
    const teacherToken = await launch.launch('phys-101', 'dev-ada');
    const stroke = (id: string) =>
      `"${id}":{"kind":"stroke","tool":"pen","colour":"#112233","width":2,"points":[[1,1]],"author":"u"}`;
    const pages = `{"page-1":{"id":"page-1","title":"Page 1","order":["el-kept-1","__proto__","constructor"],"elements":{${stroke('el-kept-1')},${stroke('__proto__')},${stroke('constructor')}}},"__proto__":{"id":"__proto__","title":"x","order":[],"elements":{}}}`;
    await a.db.query(
      `UPDATE whiteboard_snapshot SET seq = seq + 1, page_order = $2, pages = $3::jsonb WHERE session_id = $1`,
      [sessionId, ['page-1', '__proto__', 'constructor'], pages],
    );
    const res = await launch.api(`/api/whiteboard/sessions/${sessionId}`, teacherToken);
    expect(res.status).toBe(200);
    const raw = await res.text();
    expect(raw).not.toContain('__proto__');
    expect(raw).not.toContain('constructor');
    const saved = JSON.parse(raw) as { order: string[]; pages: Record<string, { order: string[] }> };
    expect(saved.order).toEqual(['page-1']);
    expect(saved.pages['page-1'].order).toEqual(['el-kept-1']);
    expect(({} as Record<string, unknown>)['colour']).toBeUndefined();
  });
});
