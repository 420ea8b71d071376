import crypto from 'node:crypto';
import { io, Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientEvents } from '../contracts/realtime';
import { BoardOp, WhiteboardEvents } from '../contracts/whiteboard';
import { Cluster, startCluster } from '../testing/cluster';
import { waitFor } from '../testing/wait-for';
import { applyEffect, Board, Effect, emptyBoard } from './domain/board';

type Ack<T> = { ok: boolean; data: T; error?: { code: string } };

/** A drawing client like the app's: joins and syncs on every (re)connect, resends ops not yet acknowledged, applies effects in order. */
class Drawer {
  board: Board = emptyBoard();
  socket!: Socket;
  acked: BoardOp[] = [];
  private held = new Map<number, Effect[]>();

  constructor(
    private readonly urls: string[],
    private readonly token: string,
    private readonly sessionId: string,
  ) {}

  async connect(i = 0): Promise<void> {
    this.socket = io(this.urls[i], {
      path: '/socket.io',
      transports: ['websocket'],
      auth: { token: this.token },
      reconnection: false,
      forceNew: true,
    });
    this.socket.on(WhiteboardEvents.effects, (m: { seq: number; effects: Effect[] }) => this.receive(m.seq, m.effects));
    await new Promise<void>((r, j) => {
      this.socket.once('connect', () => r());
      this.socket.once('connect_error', j);
    });
    const joined = (await this.socket
      .timeout(5000)
      .emitWithAck(ClientEvents.join, { sessionId: this.sessionId })) as Ack<unknown>;
    expect(joined.ok).toBe(true);
    const sync = (await this.socket
      .timeout(5000)
      .emitWithAck(WhiteboardEvents.sync, { since: this.board.seq })) as Ack<{
      entries: Array<{ seq: number; effects: Effect[] }>;
    }>;
    for (const e of sync.data.entries) this.receive(e.seq, e.effects);
  }

  private receive(seq: number, effects: Effect[]) {
    if (seq <= this.board.seq) return;
    this.held.set(seq, effects);
    while (this.held.has(this.board.seq + 1)) {
      for (const e of this.held.get(this.board.seq + 1)!) applyEffect(this.board, structuredClone(e));
      this.held.delete(this.board.seq + 1);
      this.board.seq += 1;
    }
  }

  /** Sends until acknowledged, failing over to the next instance when the connection dies. */
  async send(op: BoardOp): Promise<void> {
    for (let attempt = 0; attempt < 20; attempt++) {
      try {
        if (!this.socket.connected) throw new Error('disconnected');
        const ack = (await this.socket.timeout(3000).emitWithAck(WhiteboardEvents.op, op)) as Ack<{
          seq: number;
          effects: Effect[];
          duplicate: boolean;
        }>;
        if (!ack.ok) throw new Error(JSON.stringify(ack.error));
        if (!ack.data.duplicate) this.receive(ack.data.seq, ack.data.effects);
        this.acked.push(op);
        return;
      } catch {
        this.socket.close();
        await new Promise((r) => setTimeout(r, 200));
        await this.connect(Math.min(this.urls.length - 1, 1)).catch(() => undefined);
      }
    }
    throw new Error(`op ${op.opId} never acknowledged`);
  }

  close() {
    this.socket?.close();
  }
}

describe('whiteboard: an instance killed mid-drawing', () => {
  let cluster: Cluster;
  let teacher: Drawer;
  let student: Drawer;

  beforeAll(async () => {
    cluster = await startCluster(2);
    const teacherToken = await cluster.launch.launch('phys-101', 'dev-ada');
    const studentToken = await cluster.launch.launch('phys-101', 'dev-grace');
    const sessionId = (
      (await (await cluster.launch.api('/api/classroom/sessions', teacherToken, { method: 'POST' })).json()) as {
        session: { id: string };
      }
    ).session.id;
    const [a, b] = cluster.ports.map((p) => `http://localhost:${p}`);
    teacher = new Drawer([a, b], teacherToken, sessionId);
    student = new Drawer([b], studentToken, sessionId);
    await teacher.connect(0);
    await student.connect(0);
  }, 120_000);

  afterAll(async () => {
    teacher?.close();
    student?.close();
    await cluster?.close();
  });

  it('loses no acknowledged op, and every board ends identical', async () => {
    const elementId = `stroke-${crypto.randomBytes(4).toString('hex')}`;
    await teacher.send({
      type: 'add',
      opId: `op-${crypto.randomUUID()}`,
      page: 'page-1',
      elementId,
      element: { kind: 'stroke', tool: 'pen', colour: '#000000', width: 2, points: [[0, 0]] },
    });
    for (let i = 1; i <= 40; i++) {
      if (i === 15) cluster.procs[0].kill('SIGKILL'); // the teacher's instance dies mid-stroke
      await teacher.send({
        type: 'append',
        opId: `op-${crypto.randomUUID()}`,
        page: 'page-1',
        elementId,
        points: [[i, i]],
      });
    }
    expect(teacher.acked).toHaveLength(41);
    await waitFor(async () => student.board.seq === teacher.board.seq, 'the student to catch up');
    const points = (b: Board) => (b.pages.get('page-1')!.elements.get(elementId) as { points: unknown[] }).points;
    expect(points(teacher.board)).toHaveLength(41);
    expect(student.board.pages).toEqual(teacher.board.pages);
    // And the server's own log agrees.
    const fresh = new Drawer(
      [`http://localhost:${cluster.ports[1]}`],
      await cluster.launch.launch('phys-101', 'dev-alan'),
      (teacher as unknown as { sessionId: string }).sessionId,
    );
    await fresh.connect(0);
    expect(fresh.board.pages).toEqual(teacher.board.pages);
    fresh.close();
  });
});
