import { computed, effect, inject, Injectable, signal, untracked } from '@angular/core';
import {
  BreakoutEvents,
  BreakoutServerEvents,
  type BreakoutAckData,
  type BreakoutEventName,
  type BreakoutHelpRequest,
  type BreakoutPayload,
  type BreakoutServerPayloads,
  type BreakoutState,
} from '@contracts/breakout';
import type { Ack } from '@contracts/realtime';
import { RoomSocket } from '../../core/room-socket.service';
import { LanguageService } from '../../core/i18n/i18n';
import { NO_BREAKOUTS, placementOf, targetRoom } from './breakout-view';

/**
 * The class's breakout rooms over the room's socket: the state as the server announces it, and the
 * moves that follow from it. A student is taken to the room they are placed in (and back at the recall)
 * without clicking anything; an instructor goes where they choose (a visit). One per room (made by the
 * breakout host component, after the socket exists).
 */
@Injectable()
export class BreakoutLive {
  private readonly room = inject(RoomSocket);
  private readonly language = inject(LanguageService);
  readonly state = signal<BreakoutState>(NO_BREAKOUTS);
  /** The last note an instructor sent to every room. */
  readonly note = signal<BreakoutServerPayloads[typeof BreakoutServerEvents.note] | null>(null);
  /** One minute left (the warning arrived for the current end time). */
  readonly warnedFor = signal<string | null>(null);
  /** Instructors: help requests not yet answered by a visit. */
  readonly help = signal<BreakoutHelpRequest[]>([]);
  /** Someone arrived in or left the room this socket is in. */
  readonly visitor = signal<BreakoutServerPayloads[typeof BreakoutServerEvents.visitor] | null>(null);
  readonly here = computed(() => this.room.breakoutRoom());
  readonly mine = computed(() => {
    const me = this.room.me();
    return me ? placementOf(this.state(), me.userId) : null;
  });
  private moving = false;

  constructor() {
    this.on(BreakoutServerEvents.state, (s) => this.state.set(s));
    this.on(BreakoutServerEvents.note, (n) => this.note.set(n));
    this.on(BreakoutServerEvents.warning, ({ endsAt }) => this.warnedFor.set(endsAt));
    this.on(BreakoutServerEvents.helpRequested, (h) =>
      this.help.update((l) => [...l.filter((x) => x.userId !== h.userId), h]),
    );
    this.on(BreakoutServerEvents.visitor, (v) => this.visitor.set(v));
    effect(() => {
      if (this.room.joins() > 0) untracked(() => void this.sync());
    });
    // Follow the state: students to their room, everyone back when the rooms close.
    effect(() => {
      const state = this.state();
      const me = this.room.me();
      const here = this.room.breakoutRoom()?.id ?? null;
      if (!me) return;
      const target = targetRoom(state, me, here);
      if (target !== here) untracked(() => void this.go(target));
      // A visit answers the help requests of that room.
      if (me.canTeach) untracked(() => this.help.update((l) => l.filter((h) => h.roomId !== here)));
    });
  }

  private on<E extends keyof BreakoutServerPayloads>(event: E, handler: (p: BreakoutServerPayloads[E]) => void) {
    this.room.listen(event, handler as (p: never) => void);
  }

  send<E extends BreakoutEventName>(event: E, payload: BreakoutPayload<E>): Promise<Ack<BreakoutAckData[E]>> {
    return this.room.request<BreakoutAckData[E]>(event, payload);
  }

  /** Sends an instructor's action; a refusal shows as the room's notice. Answers whether it worked. */
  async act<E extends BreakoutEventName>(event: E, payload: BreakoutPayload<E>): Promise<boolean> {
    const ack = await this.send(event, payload);
    if (!ack.ok) this.room.notice.set(this.language.errorText(ack.error));
    else if (ack.data && typeof ack.data === 'object' && 'rooms' in ack.data && 'active' in ack.data)
      this.state.set(ack.data as BreakoutState);
    return ack.ok;
  }

  /** After a (re)join: the state now (a late joiner is placed here), then where this socket belongs. */
  async sync(): Promise<void> {
    const ack = await this.send(BreakoutEvents.sync, {});
    if (!ack.ok) return;
    const { mine: _mine, here: _here, ...state } = ack.data;
    this.state.set(state);
    if (this.room.me()?.canTeach) this.help.set(state.help);
  }

  /** Moves this socket (an instructor's visit, or a student following the state). */
  async go(roomId: string | null): Promise<void> {
    if (this.moving) return;
    this.moving = true;
    let moved: boolean;
    try {
      const ack = await this.room.enterRoom(roomId);
      moved = ack.ok;
      if (!ack.ok && ack.error.code !== 'OFFLINE') this.room.notice.set(this.language.errorText(ack.error));
    } finally {
      this.moving = false;
    }
    // The state may have changed while this move was on its way (a recall, a move): follow it once more.
    const me = this.room.me();
    const here = this.room.breakoutRoom()?.id ?? null;
    const target = me ? targetRoom(this.state(), me, here) : here;
    if (moved && me && !me.canTeach && target !== here) void this.go(target);
  }
}
