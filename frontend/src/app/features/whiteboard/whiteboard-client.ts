import { signal } from '@angular/core';
import {
  BoardOp,
  DrawPermissions,
  TeacherView,
  WHITEBOARD_PROTOCOL,
  WhiteboardAckData,
  WhiteboardEvents,
  WhiteboardProtocolErrors,
} from '@contracts/whiteboard';
import { applyEffect, Board, boardFromData, Effect, emptyBoard } from '@whiteboard-domain/board';
import { RoomSocket } from '../../core/room-socket.service';

type Applied = WhiteboardAckData[typeof WhiteboardEvents.op];
type SyncAnswer = WhiteboardAckData[typeof WhiteboardEvents.sync];

const newId = (prefix: string) => `${prefix}-${crypto.randomUUID().replace(/-/g, '').slice(0, 20)}`;
/** How soon after a timed-out op the board catches up (long enough for a slow answer to stop mattering). */
const CATCH_UP_AFTER_TIMEOUT_MS = 1000;

/**
 * The client side of the whiteboard: a local board built from the server's effects (in sequence
 * order), ops sent with their own ids (retried as they are after a reconnect), catch-up from the last
 * sequence applied, the teacher's view and the drawing permissions.
 */
export class WhiteboardClient {
  board: Board = emptyBoard();
  readonly version = signal(0);
  readonly teacherView = signal<TeacherView | null>(null);
  readonly permissions = signal<DrawPermissions>({ mode: 'everyone', userIds: [] });
  readonly error = signal<string | null>(null);
  private pendingRemote = new Map<number, Effect[]>();
  private unsent: BoardOp[] = [];
  private catchUpTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly room: RoomSocket) {
    room.listen(WhiteboardEvents.effects, (m: { seq: number; effects: Effect[] }) => this.receive(m.seq, m.effects));
    room.listen(WhiteboardEvents.teacherView, (v: TeacherView) => this.teacherView.set(v));
    room.listen(WhiteboardEvents.permissionsChanged, (p: DrawPermissions) => this.permissions.set(p));
  }

  /** Another room's board (a breakout, or back to the main room): forget this one and sync from nothing. */
  reset(): void {
    this.board = emptyBoard();
    this.pendingRemote.clear();
    this.unsent = [];
    if (this.catchUpTimer) clearTimeout(this.catchUpTimer);
    this.catchUpTimer = null;
    this.teacherView.set(null);
    this.version.update((v) => v + 1);
  }

  /** After every (re)join: catch up from the last sequence applied, then send what waited. */
  async sync(): Promise<void> {
    const ack = await this.room.request<SyncAnswer>(WhiteboardEvents.sync, {
      since: this.board.seq,
      protocol: WHITEBOARD_PROTOCOL,
    });
    if (!ack.ok) {
      // This page is older than the server's whiteboard: only a reload brings the new one.
      if (ack.error.code === WhiteboardProtocolErrors.outdated) this.error.set(ack.error.message);
      return;
    }
    const a = ack.data;
    if (a.pages) {
      // Pages and elements go into Maps (own keys only): ids from the wire are data, never object keys.
      this.board = boardFromData({ seq: a.seq, pageOrder: a.pages.order, pages: a.pages.pages });
      this.pendingRemote.clear();
    }
    for (const e of a.entries) this.receive(e.seq, e.effects);
    this.teacherView.set(a.teacherView);
    this.permissions.set(a.permissions);
    const waiting = this.unsent;
    this.unsent = [];
    for (const op of waiting) await this.send(op);
    this.version.update((v) => v + 1);
  }

  /** Applies effects in sequence order; an out-of-order message waits for the ones before it. */
  private receive(seq: number, effects: Effect[]) {
    if (seq <= this.board.seq) return;
    this.pendingRemote.set(seq, effects);
    while (this.pendingRemote.has(this.board.seq + 1)) {
      const next = this.board.seq + 1;
      for (const e of this.pendingRemote.get(next)!) this.safeApply(e);
      this.pendingRemote.delete(next);
      this.board.seq = next;
    }
    this.version.update((v) => v + 1);
  }

  private safeApply(e: Effect) {
    try {
      applyEffect(this.board, structuredClone(e));
    } catch {
      /* an effect on something this copy lacks: the next sync repairs the board */
    }
  }

  async send(op: BoardOp): Promise<boolean> {
    const ack = await this.room.request<Applied>(WhiteboardEvents.op, op);
    if (!ack.ok) {
      if (ack.error.code === 'OFFLINE' || ack.error.code === 'TIMEOUT') this.unsent.push(op);
      else this.error.set(ack.error.message);
      if (ack.error.code === 'TIMEOUT') this.catchUpSoon();
      return false;
    }
    if (!ack.data.duplicate) this.receive(ack.data.seq, ack.data.effects);
    return true;
  }

  /**
   * An op whose answer timed out while the socket stayed up may well have been applied: its effects came
   * only in the lost answer (the room's broadcast skips the author), so this board misses that sequence
   * number and every later effect would wait behind it. A sync soon after (no reconnect needed) brings the
   * entries and sends the op again under the same id, which the server answers as a duplicate.
   */
  private catchUpSoon() {
    if (this.catchUpTimer) return;
    this.catchUpTimer = setTimeout(() => {
      this.catchUpTimer = null;
      void this.sync();
    }, CATCH_UP_AFTER_TIMEOUT_MS);
  }

  id(prefix: string) {
    return newId(prefix);
  }

  async lead(view: TeacherView) {
    await this.room.request(WhiteboardEvents.follow, view);
    this.teacherView.set(view);
  }

  async allow(p: DrawPermissions) {
    const ack = await this.room.request<DrawPermissions>(WhiteboardEvents.permissions, p);
    if (ack.ok) this.permissions.set(ack.data);
  }
}
