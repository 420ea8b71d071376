import { WHITEBOARD_PROTOCOL, WhiteboardEvents } from '@contracts/whiteboard';
import type { Effect } from '@whiteboard-domain/board';
import { describe, expect, it } from 'vitest';
import type { RoomSocket } from '../../core/room-socket.service';
import { WhiteboardClient } from './whiteboard-client';

type Answer = { ok: true; data: unknown } | { ok: false; error: { code: string; message: string } };

/**
 * The room's socket, stood in for by a recorder: the real one needs a server (the browser tests use
 * it). Server events are delivered by `emit`; requests are recorded and answered by `answer`.
 */
function fakeRoom(answer: (event: string, payload: unknown) => Answer) {
  const handlers = new Map<string, (p: never) => void>();
  const requests: Array<{ event: string; payload: unknown }> = [];
  const room = {
    listen: (event: string, handler: (p: never) => void) => void handlers.set(event, handler),
    request: async (event: string, payload: unknown) => {
      requests.push({ event, payload });
      return answer(event, payload);
    },
  };
  const emit = (event: string, payload: unknown) => handlers.get(event)?.(payload as never);
  return { room: room as unknown as RoomSocket, requests, emit };
}

const addPage = (page: string): Effect => ({ kind: 'add-page', page, title: page });
const syncAnswer = (over: object = {}) => ({
  seq: 0,
  entries: [],
  teacherView: null,
  permissions: { mode: 'everyone', userIds: [] },
  ...over,
});

describe('WhiteboardClient', () => {
  it("applies the server's effects in sequence order: one that arrives early waits for those before it", () => {
    const { room, emit } = fakeRoom(() => ({ ok: true, data: null }));
    const wb = new WhiteboardClient(room);
    emit(WhiteboardEvents.effects, { seq: 2, effects: [addPage('p-two')] });
    expect(wb.board.seq).toBe(0);
    expect(wb.board.pages.has('p-two')).toBe(false);
    emit(WhiteboardEvents.effects, { seq: 1, effects: [addPage('p-one')] });
    expect(wb.board.seq).toBe(2);
    expect(wb.board.pageOrder.slice(-2)).toEqual(['p-one', 'p-two']);
    // An effect already applied (a repeat after a reconnect) changes nothing.
    emit(WhiteboardEvents.effects, { seq: 1, effects: [addPage('p-again')] });
    expect(wb.board.pages.has('p-again')).toBe(false);
  });

  it('keeps an op sent while offline and sends it again, with the same id, after the next sync', async () => {
    let online = false;
    const { room, requests } = fakeRoom((event) => {
      if (event === WhiteboardEvents.sync) return { ok: true, data: syncAnswer() };
      if (!online) return { ok: false, error: { code: 'OFFLINE', message: 'Not connected' } };
      return { ok: true, data: { seq: 1, effects: [addPage('p-new')], duplicate: false } };
    });
    const wb = new WhiteboardClient(room);
    const op = { type: 'add-page' as const, opId: 'op-1', page: 'p-new' };
    expect(await wb.send(op)).toBe(false);
    expect(wb.error()).toBeNull();
    online = true;
    await wb.sync();
    const ops = requests.filter((r) => r.event === WhiteboardEvents.op);
    expect(ops.map((r) => (r.payload as { opId: string }).opId)).toEqual(['op-1', 'op-1']);
    expect(wb.board.pages.has('p-new')).toBe(true);
    expect(wb.board.seq).toBe(1);
  });

  it('catches up by itself, without a reconnect, when an answer times out after the server applied the op', async () => {
    // The server applied op-1 as sequence 1 but its answer was lost (TIMEOUT); the socket stays up.
    let applied = false;
    const { room, requests, emit } = fakeRoom((event) => {
      if (event === WhiteboardEvents.sync)
        return { ok: true, data: syncAnswer({ seq: 1, entries: [{ seq: 1, effects: [addPage('p-new')] }] }) };
      if (!applied) {
        applied = true;
        return { ok: false, error: { code: 'TIMEOUT', message: 'The server did not answer' } };
      }
      return { ok: true, data: { seq: 1, effects: [addPage('p-new')], duplicate: true } };
    });
    const wb = new WhiteboardClient(room);
    expect(await wb.send({ type: 'add-page' as const, opId: 'op-1', page: 'p-new' })).toBe(false);
    // Someone else's effect after it waits behind the missing sequence number...
    emit(WhiteboardEvents.effects, { seq: 2, effects: [addPage('p-other')] });
    expect(wb.board.pages.has('p-other')).toBe(false);
    // ...until the catch-up a second later brings sequence 1 and resends op-1 (answered as a duplicate).
    await new Promise((r) => setTimeout(r, 1300));
    expect(requests.filter((r) => r.event === WhiteboardEvents.sync)).toHaveLength(1);
    const ops = requests.filter((r) => r.event === WhiteboardEvents.op);
    expect(ops.map((r) => (r.payload as { opId: string }).opId)).toEqual(['op-1', 'op-1']);
    expect(wb.board.seq).toBe(2);
    expect(wb.board.pageOrder.slice(-2)).toEqual(['p-new', 'p-other']);
  });

  it('shows a refusal and does not send the refused op again', async () => {
    const { room, requests } = fakeRoom((event) =>
      event === WhiteboardEvents.sync
        ? { ok: true, data: syncAnswer() }
        : { ok: false, error: { code: 'DRAWING_NOT_ALLOWED', message: 'The instructor has not let you draw' } },
    );
    const wb = new WhiteboardClient(room);
    expect(await wb.send({ type: 'add-page', opId: 'op-2', page: 'p-x' })).toBe(false);
    expect(wb.error()).toBe('The instructor has not let you draw');
    await wb.sync();
    expect(requests.filter((r) => r.event === WhiteboardEvents.op)).toHaveLength(1);
  });

  it("takes a whole board from a sync that carries pages, then the entries after it, the teacher's view and the permissions", async () => {
    const pageA = { id: 'p-a', title: 'A', order: [], elements: {} };
    const view = { page: 'p-a', x: 0, y: 0, zoom: 1, locked: true };
    const permissions = { mode: 'named', userIds: ['u-1'] };
    const { room } = fakeRoom(() => ({
      ok: true,
      data: syncAnswer({
        seq: 5,
        pages: { order: ['p-a'], pages: { 'p-a': pageA } },
        entries: [{ seq: 6, effects: [addPage('p-b')] }],
        teacherView: view,
        permissions,
      }),
    }));
    const wb = new WhiteboardClient(room);
    await wb.sync();
    expect(wb.board.seq).toBe(6);
    expect(wb.board.pageOrder).toEqual(['p-a', 'p-b']);
    expect(wb.board.pages.get('p-a')?.title).toBe('A');
    expect(wb.teacherView()).toEqual(view);
    expect(wb.permissions()).toEqual(permissions);
  });

  it('R14: sends its whiteboard protocol in every sync, and tells the person to reload when the server refuses it as outdated', async () => {
    let code = 'WB_PROTOCOL_OUTDATED';
    const { room, requests } = fakeRoom(() => ({
      ok: false,
      error: { code, message: 'This page is older than the server: reload the page.' },
    }));
    const wb = new WhiteboardClient(room);
    await wb.sync();
    expect(requests).toEqual([{ event: WhiteboardEvents.sync, payload: { since: 0, protocol: WHITEBOARD_PROTOCOL } }]);
    expect(wb.error()).toBe('This page is older than the server: reload the page.');
    // Other refusals of a sync stay quiet, as before (the next join syncs again).
    wb.error.set(null);
    code = 'NOT_IN_ROOM';
    await wb.sync();
    expect(wb.error()).toBeNull();
  });
});
