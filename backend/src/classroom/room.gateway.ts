import { Inject, Logger, OnModuleDestroy } from '@nestjs/common';
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
import { SESSION_TOKENS } from '../platform/auth/session.guard';
import { handleSocketEvent, SocketData } from '../platform/socket-events';
import { SessionTokens } from '../platform/auth/session-token';
import { DomainError, NotFoundError } from '../platform/domain-error';
import { PresenceService } from './presence.service';
import { roomOf, userRoomOf } from './socket-rooms';
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
    @Inject(SESSION_TOKENS) private readonly tokens: SessionTokens,
    private readonly room: RoomService,
    private readonly chat: ChatService,
    private readonly presence: PresenceService,
    private readonly events: DomainEvents,
  ) {}

  onModuleDestroy(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  afterInit(server: Server): void {
    server.use(async (socket, next) => {
      const token = (socket.handshake.auth as { token?: unknown })?.token;
      if (typeof token !== 'string' || !token) return next(new Error('UNAUTHENTICATED'));
      try {
        const session = await this.tokens.verify(token);
        if (!session.activityId) return next(new Error('NO_CLASSROOM'));
        (socket.data as SocketData).session = session;
        next();
      } catch (e) {
        next(new Error(e instanceof DomainError ? e.code : 'UNAUTHENTICATED'));
      }
    });
    this.events.on('session.ended').subscribe(({ sessionId, at }) => {
      this.emit(roomOf(sessionId), ServerEvents.ended, { endedAt: at.toISOString() });
      void this.presence.clear(sessionId).catch((e) => this.logger.warn(`clearing presence failed: ${(e as Error).message}`));
      // A moment later, so the teacher's own ack and the "ended" event reach everyone first.
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.server.in(roomOf(sessionId)).disconnectSockets(true);
      }, 300);
      this.timers.add(timer);
    });
    this.presence.onGhostsLeft = (sessionId, courseId, userIds) => {
      this.room.lost(sessionId, courseId, userIds);
      for (const userId of userIds) this.emit(roomOf(sessionId), ServerEvents.left, { userId });
    };
  }

  private emit<E extends keyof ServerPayloads>(to: string, event: E, payload: ServerPayloads[E]) {
    this.server.to(to).emit(event, payload);
  }

  private run<E extends ClientEventName>(
    socket: RoomSocket,
    event: E,
    raw: unknown,
    handler: (payload: ClientPayload<E>, data: SocketData) => Promise<AckData[E]>,
  ): Promise<Ack<AckData[E]>> {
    return handleSocketEvent(socket as unknown as Socket, schemas[event], raw, handler as (p: unknown, d: SocketData) => Promise<AckData[E]>, this.logger);
  }

  private inRoom(data: SocketData): string {
    if (!data.sessionId) throw new NotFoundError('NOT_IN_ROOM', 'Join the class first');
    return data.sessionId;
  }

  @SubscribeMessage(ClientEvents.join)
  join(@ConnectedSocket() socket: RoomSocket, @MessageBody() body: unknown) {
    return this.run(socket, ClientEvents.join, body, async ({ sessionId }, data) => {
      if (data.sessionId && data.sessionId !== sessionId) await this.leaveRoom(socket, 'left');
      // Marked before the await: a disconnect during the join then cleans up what the join wrote.
      data.sessionId = sessionId;
      const { state, arrived } = await this.room.join(data.session, socket.id, sessionId).catch((e) => {
        data.sessionId = undefined;
        throw e;
      });
      if (!socket.connected) {
        await this.room.leave(data.session, sessionId, socket.id, 'disconnected');
        throw new DomainError('DISCONNECTED', 'The connection closed during the join', 499);
      }
      await socket.join([roomOf(sessionId), userRoomOf(sessionId, data.session.userId)]);
      const me = state.participants.find((p) => p.userId === data.session.userId);
      if (arrived && me) socket.to(roomOf(sessionId)).emit(ServerEvents.joined, me);
      return state;
    });
  }

  @SubscribeMessage(ClientEvents.leave)
  leave(@ConnectedSocket() socket: RoomSocket, @MessageBody() body: unknown) {
    return this.run(socket, ClientEvents.leave, body, async () => {
      await this.leaveRoom(socket, 'left');
      return null;
    });
  }

  async handleDisconnect(socket: RoomSocket): Promise<void> {
    await this.leaveRoom(socket, 'disconnected').catch((e) => this.logger.warn(`leave on disconnect failed: ${(e as Error).message}`));
  }

  private async leaveRoom(socket: RoomSocket, reason: 'left' | 'disconnected') {
    const data = socket.data;
    if (!data?.sessionId || !data.session) return;
    const sid = data.sessionId;
    data.sessionId = undefined;
    await socket.leave(roomOf(sid));
    await socket.leave(userRoomOf(sid, data.session.userId));
    const gone = await this.room.leave(data.session, sid, socket.id, reason);
    if (gone) this.emit(roomOf(sid), ServerEvents.left, { userId: gone });
  }

  @SubscribeMessage(ClientEvents.chatSend)
  chatSend(@ConnectedSocket() socket: RoomSocket, @MessageBody() body: unknown) {
    return this.run(socket, ClientEvents.chatSend, body, async ({ clientId, text }, data) => {
      const sid = this.inRoom(data);
      const { message, created } = await this.chat.send(data.session, sid, clientId, text);
      if (created) this.emit(roomOf(sid), ServerEvents.chatMessage, message);
      return message;
    });
  }

  @SubscribeMessage(ClientEvents.chatDelete)
  chatDelete(@ConnectedSocket() socket: RoomSocket, @MessageBody() body: unknown) {
    return this.run(socket, ClientEvents.chatDelete, body, async ({ messageId }, data) => {
      const sid = this.inRoom(data);
      await this.chat.delete(data.session, sid, messageId);
      this.emit(roomOf(sid), ServerEvents.chatDeleted, { messageId });
      return null;
    });
  }

  @SubscribeMessage(ClientEvents.hand)
  hand(@ConnectedSocket() socket: RoomSocket, @MessageBody() body: unknown) {
    return this.run(socket, ClientEvents.hand, body, async ({ raised }, data) => {
      const sid = this.inRoom(data);
      const me = await this.room.setFlags(data.session, sid, { handRaised: raised });
      this.emit(roomOf(sid), ServerEvents.updated, me);
      return me;
    });
  }

  @SubscribeMessage(ClientEvents.media)
  media(@ConnectedSocket() socket: RoomSocket, @MessageBody() body: unknown) {
    return this.run(socket, ClientEvents.media, body, async ({ camera, mic }, data) => {
      const sid = this.inRoom(data);
      const me = await this.room.setFlags(data.session, sid, { camera, mic });
      this.emit(roomOf(sid), ServerEvents.updated, me);
      return me;
    });
  }

  @SubscribeMessage(ClientEvents.teacherMute)
  mute(@ConnectedSocket() socket: RoomSocket, @MessageBody() body: unknown) {
    return this.run(socket, ClientEvents.teacherMute, body, async ({ userId }, data) => {
      const sid = this.inRoom(data);
      const target = await this.room.control(data.session, sid, userId, 'mute');
      this.emit(userRoomOf(sid, userId), ServerEvents.muted, { by: data.session.name });
      if (target) this.emit(roomOf(sid), ServerEvents.updated, target);
      return null;
    });
  }

  @SubscribeMessage(ClientEvents.teacherMuteAll)
  muteAll(@ConnectedSocket() socket: RoomSocket, @MessageBody() body: unknown) {
    return this.run(socket, ClientEvents.teacherMuteAll, body, async (_p, data) => {
      const sid = this.inRoom(data);
      const muted = await this.room.muteAll(data.session, sid);
      for (const p of muted) {
        this.emit(userRoomOf(sid, p.userId), ServerEvents.muted, { by: data.session.name });
        this.emit(roomOf(sid), ServerEvents.updated, p);
      }
      return { muted: muted.length };
    });
  }

  @SubscribeMessage(ClientEvents.teacherStopCamera)
  stopCamera(@ConnectedSocket() socket: RoomSocket, @MessageBody() body: unknown) {
    return this.run(socket, ClientEvents.teacherStopCamera, body, async ({ userId }, data) => {
      const sid = this.inRoom(data);
      const target = await this.room.control(data.session, sid, userId, 'stop-camera');
      this.emit(userRoomOf(sid, userId), ServerEvents.cameraStopped, { by: data.session.name });
      if (target) this.emit(roomOf(sid), ServerEvents.updated, target);
      return null;
    });
  }

  @SubscribeMessage(ClientEvents.teacherRemove)
  remove(@ConnectedSocket() socket: RoomSocket, @MessageBody() body: unknown) {
    return this.run(socket, ClientEvents.teacherRemove, body, async ({ userId }, data) => {
      const sid = this.inRoom(data);
      await this.room.control(data.session, sid, userId, 'remove');
      this.emit(userRoomOf(sid, userId), ServerEvents.removed, { by: data.session.name });
      // Their sockets, on whichever instance, are disconnected; each instance's disconnect handler cleans up.
      this.server.in(userRoomOf(sid, userId)).disconnectSockets(true);
      return null;
    });
  }

  @SubscribeMessage(ClientEvents.teacherEndClass)
  endClass(@ConnectedSocket() socket: RoomSocket, @MessageBody() body: unknown) {
    return this.run(socket, ClientEvents.teacherEndClass, body, async (_p, data) => {
      await this.room.endClass(data.session, this.inRoom(data));
      return null;
    });
  }
}
