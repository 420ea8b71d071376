import { Logger, OnModuleDestroy } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  OnGatewayDisconnect,
  OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
} from '@nestjs/websockets';
import type { Server, Socket } from 'socket.io';
import { DomainEvents } from '../platform/domain-events';
import { ChatService } from '../chat/chat.service';
import {
  Ack,
  AckData,
  ClientEventName,
  ClientEvents,
  ClientPayload,
  schemas,
  ServerEvents,
  ServerPayloads,
} from '../contracts/realtime';
import type { SessionClaims } from '../platform/auth/session-token';
import { SocketContext, SocketData, SocketGate, WaitingTicket } from '../platform/socket-events';
import { canTeach } from '../tenancy/domain/role-mapping';
import { ClassControlGateway } from './class-control.gateway';
import { ClassControlService } from './class-control.service';
import { MediaServerEvents } from '../contracts/media';
import { MediaService } from '../media/media.service';
import { ROOM_ACCESS } from './room-access';
import { DomainError } from '../platform/domain-error';
import { PresenceFanout } from './presence-fanout';
import { PresenceService } from './presence.service';
import { classOf, roomOf, teachersRoomOf, userRoomOf, waitersOf, waitRoomOf } from './socket-rooms';
import { RoomService } from './room.service';

type RoomSocket = Socket<Record<string, never>, Record<string, never>, Record<string, never>, SocketData>;

/**
 * The live room over Socket.io (Redis adapter: rooms span instances). Thin: it authenticates the socket
 * with the session token, validates every payload against the wire contract, calls RoomService or
 * ChatService, and answers every event with an ack `{ ok, data | error: { code, message } }`.
 */
@WebSocketGateway({ path: '/socket.io' })
export class RoomGateway implements OnGatewayInit, OnGatewayDisconnect, OnModuleDestroy {
  private readonly logger = new Logger('RoomGateway');
  private readonly timers = new Set<NodeJS.Timeout>();
  @WebSocketServer() server: Server;

  constructor(
    private readonly room: RoomService,
    private readonly chat: ChatService,
    private readonly presence: PresenceService,
    private readonly events: DomainEvents,
    private readonly gate: SocketGate,
    private readonly fanout: PresenceFanout,
    private readonly controlGateway: ClassControlGateway,
    private readonly classControl: ClassControlService,
    private readonly mediaService: MediaService,
  ) {}

  onModuleDestroy(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  afterInit(): void {
    this.fanout.attach(this.server);
    this.events.on('session.ended').subscribe(({ sessionId, at }) => {
      this.fanout.ended(sessionId);
      // The whole class: students in breakout rooms are not in the main room's socket room.
      this.emit(classOf(sessionId), ServerEvents.ended, { endedAt: at.toISOString() });
      this.emit(waitersOf(sessionId), ServerEvents.ended, { endedAt: at.toISOString() });
      void this.presence
        .clear(sessionId)
        .catch((e) => this.logger.warn(`clearing presence failed: ${(e as Error).message}`));
      // A moment later, so the teacher's own ack and the "ended" event reach everyone first.
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.server.in(classOf(sessionId)).disconnectSockets(true);
        this.server.in(waitersOf(sessionId)).disconnectSockets(true);
      }, 300);
      this.timers.add(timer);
    });
    this.presence.ghostsLeft.subscribe(({ sessionId, courseId, left }) => {
      const userIds = left.map((l) => l.userId);
      this.room.lost(sessionId, courseId, userIds);
      for (const userId of userIds) this.fanout.left(sessionId, userId);
    });
  }

  private emit<E extends keyof ServerPayloads>(to: string, event: E, payload: ServerPayloads[E]) {
    this.server.to(to).emit(event, payload);
  }

  /** Runs one event through the socket gate with its access rule (see SocketGate). */
  private run<E extends ClientEventName>(
    socket: RoomSocket,
    event: E,
    raw: unknown,
    handler: (payload: ClientPayload<E>, ctx: SocketContext) => Promise<AckData[E]>,
  ): Promise<Ack<AckData[E]>> {
    return this.gate.run(
      socket as unknown as Socket,
      { event, schema: schemas[event], ...ROOM_ACCESS[event] },
      raw,
      handler as (p: unknown, c: SocketContext) => Promise<AckData[E]>,
    );
  }

  @SubscribeMessage(ClientEvents.join)
  join(@ConnectedSocket() socket: RoomSocket, @MessageBody() body: unknown) {
    return this.run(socket, ClientEvents.join, body, async ({ sessionId }, { session, data }) => {
      if (data.membership?.sessionId === sessionId) return this.room.state(session, sessionId); // already in: idempotent
      if (data.membership || data.waiting) await this.leaveRoom(socket, 'left');
      // Nothing on the socket changes until the join is authorised: other events of this socket see
      // no membership until the last line below.
      const rooms = [roomOf(sessionId), classOf(sessionId), userRoomOf(sessionId, session.userId)];
      if (canTeach(session.role)) rooms.push(teachersRoomOf(sessionId));
      const outcome = await this.room
        .join(session, socket.id, sessionId, async () => {
          await socket.join(rooms);
        })
        .catch(async (e: unknown) => {
          for (const r of rooms) await socket.leave(r);
          throw e;
        });
      if (outcome.kind === 'waiting') return this.wait(socket, session, outcome.ticket);
      const { state, arrived, membership, knocked } = outcome;
      if (!socket.connected) {
        for (const r of rooms) await socket.leave(r);
        await this.room.leave(session, sessionId, socket.id, 'disconnected');
        throw new DomainError('DISCONNECTED', 'The connection closed during the join', 499);
      }
      data.membership = membership;
      if (!socket.connected) {
        // Dropped while joining its rooms: the disconnect handler ran before the membership existed.
        await this.leaveRoom(socket, 'disconnected');
        throw new DomainError('DISCONNECTED', 'The connection closed during the join', 499);
      }
      const me = state.participants.find((p) => p.userId === session.userId);
      if (arrived && me) this.fanout.joined(sessionId, me, state.participants.length, socket as unknown as Socket);
      // Let in through the waiting room: the list changed (every other join leaves it as it was).
      if (knocked) void this.controlGateway.announceWaiting(sessionId);
      return state;
    });
  }

  /**
   * The door is shut: the socket waits, a member of nothing. It is put where the instructor's answer and
   * the class's end reach it, the teachers hear the list, and the join is answered WAITING_FOR_ADMISSION.
   */
  private async wait(socket: RoomSocket, session: SessionClaims, ticket: WaitingTicket): Promise<never> {
    await socket.join([waitRoomOf(ticket.sessionId, ticket.userId), waitersOf(ticket.sessionId)]);
    socket.data.waiting = ticket;
    if (!socket.connected) await this.leaveRoom(socket, 'disconnected');
    await this.controlGateway.announceWaiting(ticket.sessionId);
    throw new DomainError(
      'WAITING_FOR_ADMISSION',
      session.role === 'guest'
        ? 'Waiting for the instructor to let you in'
        : 'The class has a waiting room: the instructor will let you in',
      202,
    );
  }

  @SubscribeMessage(ClientEvents.leave)
  leave(@ConnectedSocket() socket: RoomSocket, @MessageBody() body: unknown) {
    return this.run(socket, ClientEvents.leave, body, async () => {
      await this.leaveRoom(socket, 'left');
      return null;
    });
  }

  async handleDisconnect(socket: RoomSocket): Promise<void> {
    await this.leaveRoom(socket, 'disconnected').catch((e) =>
      this.logger.warn(`leave on disconnect failed: ${(e as Error).message}`),
    );
  }

  private async leaveRoom(socket: RoomSocket, reason: 'left' | 'disconnected') {
    const data = socket.data;
    const ticket = data?.waiting;
    if (ticket) {
      data.waiting = undefined;
      await socket.leave(waitRoomOf(ticket.sessionId, ticket.userId));
      await socket.leave(waitersOf(ticket.sessionId));
      if (await this.controlGateway.leaveWaiting(ticket, socket.id))
        await this.controlGateway.announceWaiting(ticket.sessionId);
    }
    const m = data?.membership;
    if (!m || !data.session) return;
    // The membership goes first, before any await: no later event of this socket acts on the class.
    data.membership = undefined;
    await socket.leave(roomOf(m.roomId));
    await socket.leave(classOf(m.sessionId));
    await socket.leave(userRoomOf(m.sessionId, m.userId));
    await socket.leave(teachersRoomOf(m.sessionId));
    const gone = await this.room.leave(data.session, m.sessionId, socket.id, reason);
    if (gone) this.fanout.left(m.sessionId, gone);
  }

  @SubscribeMessage(ClientEvents.chatSend)
  chatSend(@ConnectedSocket() socket: RoomSocket, @MessageBody() body: unknown) {
    return this.run(socket, ClientEvents.chatSend, body, async ({ clientId, text }, { session, member }) => {
      const sid = member.roomId; // the main room's chat or the breakout room's own
      await this.classControl.assertMaySendChat(member);
      const { message, created } = await this.chat.send(session, sid, clientId, text);
      if (created) this.emit(roomOf(sid), ServerEvents.chatMessage, message);
      return message;
    });
  }

  @SubscribeMessage(ClientEvents.chatDelete)
  chatDelete(@ConnectedSocket() socket: RoomSocket, @MessageBody() body: unknown) {
    return this.run(socket, ClientEvents.chatDelete, body, async ({ messageId }, { session, member }) => {
      const sid = member.roomId;
      await this.chat.delete(session, sid, messageId);
      this.emit(roomOf(sid), ServerEvents.chatDeleted, { messageId });
      return null;
    });
  }

  @SubscribeMessage(ClientEvents.hand)
  hand(@ConnectedSocket() socket: RoomSocket, @MessageBody() body: unknown) {
    return this.run(socket, ClientEvents.hand, body, async ({ raised }, { session, member }) => {
      const sid = member.sessionId;
      const me = await this.room.setFlags(session, sid, { handRaised: raised });
      this.fanout.updated(sid, me);
      return me;
    });
  }

  @SubscribeMessage(ClientEvents.media)
  media(@ConnectedSocket() socket: RoomSocket, @MessageBody() body: unknown) {
    return this.run(socket, ClientEvents.media, body, async ({ camera, mic }, { session, member }) => {
      const sid = member.sessionId;
      await this.classControl.assertMayShow(member, { camera, mic });
      const me = await this.room.setFlags(session, sid, { camera, mic });
      this.fanout.updated(sid, me);
      return me;
    });
  }

  @SubscribeMessage(ClientEvents.teacherMute)
  mute(@ConnectedSocket() socket: RoomSocket, @MessageBody() body: unknown) {
    return this.run(socket, ClientEvents.teacherMute, body, async ({ userId }, { session, member }) => {
      const sid = member.sessionId;
      const target = await this.room.control(session, sid, userId, 'mute');
      this.emit(userRoomOf(sid, userId), ServerEvents.muted, { by: session.name });
      if (target) this.fanout.updated(sid, target);
      return null;
    });
  }

  @SubscribeMessage(ClientEvents.teacherMuteAll)
  muteAll(@ConnectedSocket() socket: RoomSocket, @MessageBody() body: unknown) {
    return this.run(socket, ClientEvents.teacherMuteAll, body, async (_p, { session, member }) => {
      const sid = member.sessionId;
      const muted = await this.room.muteAll(session, sid);
      for (const p of muted) {
        this.emit(userRoomOf(sid, p.userId), ServerEvents.muted, { by: session.name });
        this.fanout.updated(sid, p);
      }
      return { muted: muted.length };
    });
  }

  @SubscribeMessage(ClientEvents.teacherStopCamera)
  stopCamera(@ConnectedSocket() socket: RoomSocket, @MessageBody() body: unknown) {
    return this.run(socket, ClientEvents.teacherStopCamera, body, async ({ userId }, { session, member }) => {
      const sid = member.sessionId;
      const target = await this.room.control(session, sid, userId, 'stop-camera');
      this.emit(userRoomOf(sid, userId), ServerEvents.cameraStopped, { by: session.name });
      this.server.to(roomOf(sid)).emit(MediaServerEvents.policyChanged, await this.mediaService.policy(sid));
      if (target) this.fanout.updated(sid, target);
      return null;
    });
  }

  @SubscribeMessage(ClientEvents.teacherRemove)
  remove(@ConnectedSocket() socket: RoomSocket, @MessageBody() body: unknown) {
    return this.run(socket, ClientEvents.teacherRemove, body, async ({ userId }, { session, member }) => {
      const sid = member.sessionId;
      await this.room.control(session, sid, userId, 'remove');
      this.emit(userRoomOf(sid, userId), ServerEvents.removed, { by: session.name });
      // Their sockets, on whichever instance, are disconnected; each instance's disconnect handler cleans up.
      this.server.in(userRoomOf(sid, userId)).disconnectSockets(true);
      return null;
    });
  }

  @SubscribeMessage(ClientEvents.teacherEndClass)
  endClass(@ConnectedSocket() socket: RoomSocket, @MessageBody() body: unknown) {
    return this.run(socket, ClientEvents.teacherEndClass, body, async (_p, { session, member }) => {
      await this.room.endClass(session, member.sessionId);
      return null;
    });
  }
}
