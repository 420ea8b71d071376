import { Logger, OnModuleDestroy } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
} from '@nestjs/websockets';
import type { Subscription } from 'rxjs';
import type { Server, Socket } from 'socket.io';
import { ChatService } from '../chat/chat.service';
import { classOf, roomOf, teachersRoomOf } from '../classroom/socket-rooms';
import {
  BreakoutEvents,
  breakoutSchemas,
  type BreakoutAckData,
  type BreakoutEventName,
  type BreakoutPayload,
} from '../contracts/breakout';
import { MediaCluster } from '../media/media-cluster.service';
import { ForbiddenError, NotFoundError } from '../platform/domain-error';
import { RateLimiter } from '../platform/rate-limit/rate-limiter';
import { SocketAccess, SocketContext, SocketData, SocketGate } from '../platform/socket-events';
import { BreakoutAnnouncer, type BreakoutAnnouncement } from './breakout-announcer';
import { BreakoutService } from './breakout.service';
import { BreakoutStore } from './infra/breakout.store';

/** Who may send each breakout event (the gate checks it); guests are placed like students. */
const RULES: Record<BreakoutEventName, { access: SocketAccess; guests?: boolean }> = {
  [BreakoutEvents.open]: { access: 'teacher' },
  [BreakoutEvents.move]: { access: 'teacher' },
  [BreakoutEvents.enter]: { access: 'member', guests: true },
  [BreakoutEvents.broadcast]: { access: 'teacher' },
  [BreakoutEvents.timer]: { access: 'teacher' },
  [BreakoutEvents.recall]: { access: 'teacher' },
  [BreakoutEvents.help]: { access: 'member', guests: true },
  [BreakoutEvents.sync]: { access: 'member', guests: true },
};

/** Events that act on the socket's room (its chat, board, media): from a breakout room, only while it is theirs. */
const ROOM_SCOPED = /^(chat|wb|media):/;

/**
 * Breakout rooms over the live room's socket. Thin: the gate authorises, the service decides. The one
 * thing done here is moving a socket between rooms (`breakout:enter`), because it edits the socket: the
 * placement is checked, the socket joins the room's socket.io room, and only then is its membership
 * replaced by one naming the new room; its media peer in the old room is closed (the browser joins the
 * new room's media). A check on the gate refuses chat, board and media events from a breakout room the
 * socket no longer belongs in (closed, or the student was moved): NOT_IN_BREAKOUT.
 */
@WebSocketGateway({ path: '/socket.io' })
export class BreakoutGateway implements OnGatewayInit, OnModuleDestroy {
  private readonly logger = new Logger('BreakoutGateway');
  @WebSocketServer() server: Server;
  private subscription?: Subscription;

  constructor(
    private readonly breakouts: BreakoutService,
    private readonly store: BreakoutStore,
    private readonly announcer: BreakoutAnnouncer,
    private readonly chat: ChatService,
    private readonly media: MediaCluster,
    private readonly limiter: RateLimiter,
    private readonly gate: SocketGate,
  ) {}

  afterInit(): void {
    this.subscription = this.announcer.announcements.subscribe((a) => this.deliver(a));
    this.gate.addCheck(async (event, _session, member) => {
      if (!member || member.roomId === member.sessionId || !ROOM_SCOPED.test(event) || event === 'media:leave') return;
      if (!(await this.store.mayActIn(member.sessionId, member.roomId, member.userId, member.canTeach)))
        throw new ForbiddenError(
          'NOT_IN_BREAKOUT',
          'This breakout room was closed or you were moved: go where you are placed',
        );
    });
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
  }

  private deliver(a: BreakoutAnnouncement): void {
    const to =
      a.to === 'class' ? classOf(a.sessionId) : a.to === 'teachers' ? teachersRoomOf(a.sessionId) : roomOf(a.roomId);
    this.server.to(to).emit(a.event, a.payload);
  }

  private run<E extends BreakoutEventName>(
    socket: Socket,
    event: E,
    raw: unknown,
    handler: (payload: BreakoutPayload<E>, ctx: SocketContext) => Promise<BreakoutAckData[E]>,
  ) {
    return this.gate.run(
      socket,
      { event, schema: breakoutSchemas[event], ...RULES[event] },
      raw,
      handler as (p: unknown, c: SocketContext) => Promise<BreakoutAckData[E]>,
    );
  }

  @SubscribeMessage(BreakoutEvents.open)
  open(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return this.run(socket, BreakoutEvents.open, body, (input, { member }) => this.breakouts.open(member, input));
  }

  @SubscribeMessage(BreakoutEvents.move)
  move(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return this.run(socket, BreakoutEvents.move, body, ({ userId, roomId }, { member }) =>
      this.breakouts.move(member, userId, roomId),
    );
  }

  @SubscribeMessage(BreakoutEvents.broadcast)
  broadcast(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return this.run(socket, BreakoutEvents.broadcast, body, ({ text }, { member, session }) =>
      this.breakouts.broadcast(member, session, text),
    );
  }

  @SubscribeMessage(BreakoutEvents.timer)
  timer(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return this.run(socket, BreakoutEvents.timer, body, ({ durationSeconds }, { member }) =>
      this.breakouts.setTimer(member, durationSeconds),
    );
  }

  @SubscribeMessage(BreakoutEvents.recall)
  recall(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return this.run(socket, BreakoutEvents.recall, body, (_p, { member }) => this.breakouts.recallBy(member));
  }

  @SubscribeMessage(BreakoutEvents.help)
  help(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return this.run(socket, BreakoutEvents.help, body, (_p, { member, session }) =>
      this.breakouts.askHelp(member, session),
    );
  }

  @SubscribeMessage(BreakoutEvents.sync)
  sync(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return this.run(socket, BreakoutEvents.sync, body, (_p, { member, session }) =>
      this.breakouts.sync(member, session),
    );
  }

  @SubscribeMessage(BreakoutEvents.enter)
  enter(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return this.run(socket, BreakoutEvents.enter, body, async ({ roomId }, { member, session, data }) => {
      const target = await this.breakouts.checkEnter(member, roomId);
      const from = member.roomId;
      const here = (id: string) => (id === member.sessionId ? null : id);
      if (target.roomId !== from) {
        await socket.join(roomOf(target.roomId));
        // A leave or a disconnect during the awaits ended the membership: nothing is granted.
        if (data.membership !== member || !socket.connected) {
          await socket.leave(roomOf(target.roomId));
          throw new NotFoundError('NOT_IN_ROOM', 'Join the class first');
        }
        data.membership = Object.freeze({ ...member, roomId: target.roomId });
        await socket.leave(roomOf(from));
        await this.leaveMedia(socket, data, from);
        await this.breakouts.visited(member, session, from, target.roomId);
      }
      const [chat, participants] = await Promise.all([
        this.chat.history(target.roomId),
        this.breakouts.people(member.sessionId),
      ]);
      return { roomId: here(target.roomId), name: target.name, chat, participants };
    });
  }

  /** The socket's media peer belongs to the room it left: closed there (the browser joins the new room's media). */
  private async leaveMedia(socket: Socket, data: SocketData, from: string): Promise<void> {
    const peerId = data.mediaPeerId;
    if (!peerId || data.mediaSessionId !== from || !data.membership) return;
    data.mediaPeerId = undefined;
    data.mediaSessionId = undefined;
    const m = data.membership;
    await this.limiter.releaseMediaPeer(m.userId, peerId).catch(() => undefined);
    await this.media
      .call({
        op: 'leave',
        caller: {
          sessionId: from,
          socketId: socket.id,
          peerId,
          userId: m.userId,
          name: data.session.name,
          canTeach: m.canTeach,
        },
      })
      .catch((e) => this.logger.warn(`closing the media peer in ${from}: ${(e as Error).message}`));
  }
}
