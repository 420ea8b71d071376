import { computed, inject, Injectable, OnDestroy, signal } from '@angular/core';
import {
  Ack,
  AckData,
  ChatMessage,
  ClassControlState,
  ClientEventName,
  ClientEvents,
  ClientPayload,
  Participant,
  RoomState,
  ServerEvents,
  ServerPayloads,
  WaitingPerson,
} from '@contracts/realtime';
import { BreakoutEnterAck, BreakoutEvents } from '@contracts/breakout';
import type { Subscription } from 'rxjs';
import { io, Socket } from 'socket.io-client';
import { TranslocoService } from '@jsverse/transloco';
import { LanguageService } from './i18n/i18n';
import { LtiSession } from './lti-session.service';
import { keepSessionRenewed } from './session-renewal';

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'offline' | 'closed';

interface PendingMessage {
  clientId: string;
  text: string;
}

/**
 * The live room connection: one socket, the room state as signals, and the typed events of the wire
 * contract. It reconnects by itself, joins the room again and takes its state back; chat messages
 * sent while disconnected are sent again with the same id, so the server stores and shows them once.
 */
/** Refusals that mean the session itself is over: reconnecting cannot help, a new launch from the LMS can. */
const SESSION_OVER = [
  'UNAUTHENTICATED',
  'SESSION_INVALID',
  'SESSION_EXPIRED',
  'NO_CLASSROOM',
  'PLATFORM_DISABLED',
  'PLATFORM_UNKNOWN',
  'NOT_ENROLLED',
  'GUEST_ENDED',
];
const NO_LOCKS: ClassControlState = {
  locks: { mic: false, camera: false, screen: true, chat: false, whiteboard: false },
  waitingRoom: false,
  unmuteRequests: [],
  unmuteAllowed: [],
};

@Injectable()
export class RoomSocket implements OnDestroy {
  private readonly session = inject(LtiSession);
  private readonly i18n = inject(TranslocoService);
  private readonly language = inject(LanguageService);
  private socket?: Socket;
  private sessionId?: string;
  private pending: PendingMessage[] = [];
  private joined = false;
  private renewal?: Subscription;
  readonly pendingCount = signal(0);

  readonly connection = signal<ConnectionState>('connecting');
  readonly participants = signal<Participant[]>([]);
  readonly chat = signal<ChatMessage[]>([]);
  readonly me = signal<RoomState['me'] | null>(null);
  readonly ended = signal<string | null>(null);
  /** Something the server did to this person (muted, removed) or refused, to show once. */
  readonly notice = signal<string | null>(null);
  readonly fatal = signal<string | null>(null);
  readonly raisedHands = computed(() => this.participants().filter((p) => p.handRaised));
  /** Goes up at every successful (re)join: features that keep their own state catch up then. */
  readonly joins = signal(0);
  /** Set while this person waits to be let in (the waiting room): the server's message. */
  readonly waiting = signal<string | null>(null);
  /** The class's locks, waiting room switch, unmute requests and allowances. */
  readonly control = signal<ClassControlState>(NO_LOCKS);
  /** Teachers: who waits to be let in. */
  readonly waitingList = signal<WaitingPerson[]>([]);
  /** The breakout room this socket is in (null: the class's main room); set by `enterRoom`, reset by every join. */
  readonly breakoutRoom = signal<{ id: string; name: string } | null>(null);
  /** Goes up each time the socket moves between the main room and a breakout: the board and media follow. */
  readonly moves = signal(0);

  /** Listens to a server event that is not part of the room's own state (e.g. the whiteboard's). */
  listen(event: string, handler: (payload: never) => void): void {
    this.socket?.on(event, handler as (p: unknown) => void);
  }

  /** Sends an event of another feature over the room's socket, with its ack. */
  async request<T>(event: string, payload: unknown): Promise<Ack<T>> {
    if (!this.socket?.connected) return { ok: false, error: { code: 'OFFLINE', message: 'Not connected' } };
    try {
      return await this.socket.timeout(8000).emitWithAck(event, payload);
    } catch {
      return { ok: false, error: { code: 'TIMEOUT', message: 'The server did not answer' } };
    }
  }

  connect(sessionId: string): void {
    this.sessionId = sessionId;
    if (!this.session.token()) {
      this.fatal.set(this.i18n.translate('roomNotices.sessionEnded'));
      return;
    }
    // The token is read at every (re)connection: a refreshed token is used after a network blip.
    const socket = io({
      path: '/socket.io',
      transports: ['websocket'],
      auth: (cb) => cb({ token: this.session.token() }),
      reconnectionDelay: 500,
      reconnectionDelayMax: 5000,
    });
    this.socket = socket;
    this.renewal?.unsubscribe();
    this.renewal = keepSessionRenewed(socket, this.session, () => {
      this.fatal.set(this.i18n.translate('roomNotices.sessionEnded'));
      this.connection.set('closed');
    });
    socket.on('connect', () => void this.join());
    socket.on('disconnect', (reason) => {
      this.joined = false;
      if (this.connection() === 'closed') return;
      // The server let us go on purpose (removed, class ended): do not come back.
      this.connection.set(reason === 'io server disconnect' ? 'offline' : 'reconnecting');
    });
    socket.on('connect_error', (e) => {
      if (SESSION_OVER.includes(e.message)) {
        this.fatal.set(
          this.i18n.translate(e.message === 'GUEST_ENDED' ? 'roomNotices.guestEnded' : 'roomNotices.sessionEnded'),
        );
        socket.disconnect();
        this.connection.set('closed');
      } else {
        this.connection.set('reconnecting');
      }
    });
    this.on(ServerEvents.joined, (p) => this.participants.update((list) => upsert(list, p)));
    this.on(ServerEvents.updated, (p) => this.participants.update((list) => upsert(list, p)));
    this.on(ServerEvents.left, ({ userId }) =>
      this.participants.update((list) => list.filter((p) => p.userId !== userId)),
    );
    // A big room's changes come as one batch a second: each person once, as they are now (or gone).
    this.on(ServerEvents.presenceBatch, ({ participants, left }) =>
      this.participants.update((list) => {
        const gone = new Set(left);
        const byUser = new Map(list.filter((p) => !gone.has(p.userId)).map((p) => [p.userId, p]));
        for (const p of participants) byUser.set(p.userId, p); // in place when known, last when new
        return [...byUser.values()];
      }),
    );
    this.on(ServerEvents.chatMessage, (m) =>
      this.chat.update((list) => (list.some((x) => x.id === m.id) ? list : [...list, m].slice(-200))),
    );
    this.on(ServerEvents.chatDeleted, ({ messageId }) =>
      this.chat.update((list) => list.filter((m) => m.id !== messageId)),
    );
    this.on(ServerEvents.muted, ({ by }) => this.notice.set(this.i18n.translate('roomNotices.mutedBy', { by })));
    this.on(ServerEvents.cameraStopped, ({ by }) =>
      this.notice.set(this.i18n.translate('roomNotices.cameraOffBy', { by })),
    );
    this.on(ServerEvents.removed, ({ by }) => {
      this.fatal.set(this.i18n.translate('roomNotices.removedBy', { by }));
      this.connection.set('closed');
    });
    this.on(ServerEvents.ended, ({ endedAt }) => {
      this.ended.set(endedAt);
      this.waiting.set(null);
      this.connection.set('closed');
    });
    this.on(ServerEvents.control, (c) => this.control.set(c));
    this.on(ServerEvents.waitingList, ({ waiting }) => this.waitingList.set(waiting));
    this.on(ServerEvents.admitted, () => {
      this.waiting.set(null);
      void this.join();
    });
    this.on(ServerEvents.denied, ({ message }) => {
      this.waiting.set(null);
      this.fatal.set(message);
      this.connection.set('closed');
    });
    this.on(ServerEvents.cameraAllowed, ({ by }) =>
      this.notice.set(this.i18n.translate('roomNotices.cameraAllowedBy', { by })),
    );
    this.on(ServerEvents.unmuteAllowed, ({ by }) =>
      this.notice.set(this.i18n.translate('roomNotices.unmuteAllowedBy', { by })),
    );
  }

  private on<E extends keyof ServerPayloads>(event: E, handler: (payload: ServerPayloads[E]) => void) {
    this.socket?.on(event as string, handler as (p: unknown) => void);
  }

  private async join() {
    const ack = await this.emit(ClientEvents.join, { sessionId: this.sessionId! });
    if (!ack.ok && ack.error.code === 'WAITING_FOR_ADMISSION') {
      // Shown until the instructor answers (admitted: joined again by the server's word; denied: fatal).
      this.waiting.set(ack.error.message);
      this.connection.set('connected');
      return;
    }
    if (!ack.ok) {
      if (
        [
          'REMOVED_FROM_CLASS',
          'WAITING_DENIED',
          'GUEST_ENDED',
          'CLASS_ENDED',
          'SESSION_NOT_FOUND',
          ...SESSION_OVER,
        ].includes(ack.error.code)
      ) {
        this.fatal.set(this.language.errorText(ack.error));
        this.socket?.disconnect();
        this.connection.set('closed');
      } else {
        // A slow or failed join (timeout, server busy) is tried again shortly.
        this.connection.set('reconnecting');
        setTimeout(() => void (this.socket?.connected && this.join()), 1000);
      }
      return;
    }
    this.joined = true;
    // A (re)join puts the socket in the main room; the breakout feature sends it back where it is placed.
    if (this.breakoutRoom()) {
      this.breakoutRoom.set(null);
      this.moves.update((n) => n + 1);
    }
    this.joins.update((n) => n + 1);
    const state = ack.data;
    this.me.set(state.me);
    this.participants.set(state.participants);
    this.chat.set(state.chat);
    this.control.set(state.control);
    this.waitingList.set(state.waiting);
    this.waiting.set(null);
    this.connection.set('connected');
    // Messages typed while the connection was down go now, with their original ids.
    for (const m of [...this.pending]) void this.deliver(m);
  }

  async emit<E extends ClientEventName>(event: E, payload: ClientPayload<E>): Promise<Ack<AckData[E]>> {
    if (!this.socket?.connected) return { ok: false, error: { code: 'OFFLINE', message: 'Not connected' } };
    try {
      return (await this.socket.timeout(8000).emitWithAck(event, payload)) as Ack<AckData[E]>;
    } catch {
      return { ok: false, error: { code: 'TIMEOUT', message: 'The server did not answer' } };
    }
  }

  /**
   * Moves this socket to a breakout room (or back to the main room, `null`): the server checks it was
   * placed there. The room's chat replaces the one shown; the board and media follow through `moves`.
   */
  async enterRoom(roomId: string | null): Promise<Ack<BreakoutEnterAck>> {
    const ack = await this.request<BreakoutEnterAck>(BreakoutEvents.enter, { roomId });
    if (!ack.ok) return ack;
    const now = ack.data.roomId ? { id: ack.data.roomId, name: ack.data.name ?? '' } : null;
    const changed = (this.breakoutRoom()?.id ?? null) !== (now?.id ?? null);
    this.breakoutRoom.set(now);
    this.participants.set(ack.data.participants);
    if (changed) {
      this.chat.set(ack.data.chat);
      this.moves.update((n) => n + 1);
    }
    return ack;
  }

  sendChat(text: string): void {
    const m = { clientId: crypto.randomUUID(), text };
    this.setPending([...this.pending, m]);
    // Before the room is joined (or while reconnecting) it waits; join() sends what waits.
    if (this.joined) void this.deliver(m);
  }

  private setPending(list: PendingMessage[]) {
    this.pending = list;
    this.pendingCount.set(list.length);
  }

  private async deliver(m: PendingMessage) {
    const ack = await this.emit(ClientEvents.chatSend, m);
    if (ack.ok) {
      this.setPending(this.pending.filter((p) => p.clientId !== m.clientId));
      this.chat.update((list) => (list.some((x) => x.id === ack.data.id) ? list : [...list, ack.data]));
    } else if (!['OFFLINE', 'TIMEOUT', 'NOT_IN_ROOM'].includes(ack.error.code)) {
      this.setPending(this.pending.filter((p) => p.clientId !== m.clientId));
      this.notice.set(this.language.errorText(ack.error));
    }
  }

  async act<E extends ClientEventName>(event: E, payload: ClientPayload<E>): Promise<void> {
    const ack = await this.emit(event, payload);
    if (!ack.ok) this.notice.set(this.language.errorText(ack.error));
  }

  close(): void {
    this.connection.set('closed');
    this.renewal?.unsubscribe();
    this.socket?.disconnect();
  }

  ngOnDestroy(): void {
    this.close();
  }
}

function upsert(list: Participant[], p: Participant): Participant[] {
  const i = list.findIndex((x) => x.userId === p.userId);
  if (i < 0) return [...list, p];
  const copy = [...list];
  copy[i] = p;
  return copy;
}
