import { Inject, Logger } from '@nestjs/common';
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
  MAX_PAYLOAD_BYTES,
  schemas,
  ServerEvents,
  ServerPayloads,
} from '../contracts/realtime';
import { SESSION_TOKENS } from '../platform/auth/session.guard';
import { SessionClaims, SessionTokens } from '../platform/auth/session-token';
import { DomainError, NotFoundError } from '../platform/domain-error';
import { PresenceService } from './presence.service';
import { RoomService } from './room.service';

interface SocketData {
  session: SessionClaims;
  sessionId?: string;
}
type RoomSocket = Socket<Record<string, never>, Record<string, never>, Record<string, never>, SocketData>;

const roomOf = (sid: string) => `room:${sid}`;
const userRoomOf = (sid: string, userId: string) => `user:${sid}:${userId}`;

/**
 * The live room over Socket.io (Redis adapter: rooms span instances). Thin: it authenticates the socket
 * with the session token, validates every payload against the wire contract, calls RoomService or
 * ChatService, and answers every event with an ack `{ ok, data | error: { code, message } }`.
 */
@WebSocketGateway({ path: '/socket.io' })
export class RoomGateway implements OnGatewayInit, OnGatewayDisconnect {
  private readonly logger = new Logger('RoomGateway');
  @WebSocketServer() server: Server;

  constructor(
    @Inject(SESSION_TOKENS) private readonly tokens: SessionTokens,
    private readonly room: RoomService,
    private readonly chat: ChatService,
    private readonly presence: PresenceService,
    private readonly events: DomainEvents,
  ) {}

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
      void this.presence.clear(sessionId);
      // A moment later, so the teacher's own ack and the "ended" event reach everyone first.
      setTimeout(() => this.server.in(roomOf(sessionId)).disconnectSockets(true), 300).unref();
    });
    this.presence.onGhostsLeft = (sessionId, courseId, userIds) => {
      this.room.lost(sessionId, courseId, userIds);
      for (const userId of userIds) this.emit(roomOf(sessionId), ServerEvents.left, { userId });
    };
  }

  private emit<E extends keyof ServerPayloads>(to: string, event: E, payload: ServerPayloads[E]) {
    this.server.to(to).emit(event, payload);
  }

  /** Validation, size limit and error mapping for every event. The socket stays up whatever is sent. */
  private async run<E extends ClientEventName>(
    socket: RoomSocket,
    event: E,
    raw: unknown,
    handler: (payload: ClientPayload<E>, data: SocketData) => Promise<AckData[E]>,
  ): Promise<Ack<AckData[E]>> {
    try {
      let size = 0;
      try {
        size = JSON.stringify(raw ?? null).length;
      } catch {
        size = Infinity;
      }
      if (size > MAX_PAYLOAD_BYTES) throw new DomainError('PAYLOAD_TOO_LARGE', `Payloads are limited to ${MAX_PAYLOAD_BYTES} bytes`, 413);
      const parsed = schemas[event].safeParse(raw ?? {});
      if (!parsed.success) {
        throw new DomainError('INVALID_PAYLOAD', parsed.error.issues.map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`).join('; '), 400);
      }
      // A socket outlives its token's expiry only until its next event.
      if (socket.data.session.expiresAt !== undefined && socket.data.session.expiresAt < Date.now()) {
        socket.disconnect(true);
        throw new DomainError('SESSION_EXPIRED', 'Your session has expired', 401);
      }
      return { ok: true, data: await handler(parsed.data as ClientPayload<E>, socket.data) };
    } catch (e) {
      if (e instanceof DomainError) return { ok: false, error: { code: e.code, message: e.message } };
      this.logger.error(e instanceof Error ? e.stack : String(e));
      return { ok: false, error: { code: 'INTERNAL', message: 'Something went wrong on our side' } };
    }
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
