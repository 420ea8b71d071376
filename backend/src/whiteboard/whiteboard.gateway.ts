import { Inject, Logger } from '@nestjs/common';
import { ConnectedSocket, MessageBody, SubscribeMessage, WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import type { Server, Socket } from 'socket.io';
import { roomOf } from '../classroom/socket-rooms';
import { WhiteboardEvents, whiteboardSchemas } from '../contracts/whiteboard';
import type { AppConfig } from '../config/config';
import { NotFoundError } from '../platform/domain-error';
import { APP_CONFIG } from '../platform/redis';
import { handleSocketEvent, SocketData } from '../platform/socket-events';
import { WhiteboardService } from './whiteboard.service';

const inRoom = (data: SocketData) => {
  if (!data.sessionId) throw new NotFoundError('NOT_IN_ROOM', 'Join the class first');
  return data.sessionId;
};

/** The whiteboard over the live room's socket (same server, same auth): ops in, effects out to the room. */
@WebSocketGateway({ path: '/socket.io' })
export class WhiteboardGateway {
  private readonly logger = new Logger('WhiteboardGateway');
  @WebSocketServer() server: Server;

  constructor(
    private readonly whiteboard: WhiteboardService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @SubscribeMessage(WhiteboardEvents.op)
  op(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return handleSocketEvent(socket, whiteboardSchemas[WhiteboardEvents.op], body, async (op, data) => {
      const sid = inRoom(data);
      const applied = await this.whiteboard.apply(data.session, sid, op);
      if (applied.duplicate) return applied;
      if (this.config.whiteboardNaiveBroadcast) {
        // The naive design, kept only to measure against: the whole board to everyone after every op.
        const board = await this.whiteboard.pages(sid);
        socket.to(roomOf(sid)).emit('wb:board', board);
      } else {
        // Only the delta goes out, to everyone else (the sender has it in its ack).
        socket.to(roomOf(sid)).emit(WhiteboardEvents.effects, { seq: applied.seq, userId: data.session.userId, effects: applied.effects });
      }
      return applied;
    }, this.logger);
  }

  @SubscribeMessage(WhiteboardEvents.sync)
  sync(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return handleSocketEvent(socket, whiteboardSchemas[WhiteboardEvents.sync], body, async ({ since }, data) => {
      const sid = inRoom(data);
      const [board, teacherView, permissions] = await Promise.all([this.whiteboard.sync(sid, since), this.whiteboard.teacherView(sid), this.whiteboard.permissions(sid)]);
      return { ...board, teacherView, permissions };
    }, this.logger);
  }

  @SubscribeMessage(WhiteboardEvents.follow)
  follow(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return handleSocketEvent(socket, whiteboardSchemas[WhiteboardEvents.follow], body, async (view, data) => {
      const sid = inRoom(data);
      const saved = await this.whiteboard.follow(data.session, sid, view);
      socket.to(roomOf(sid)).emit(WhiteboardEvents.teacherView, saved);
      return saved;
    }, this.logger);
  }

  @SubscribeMessage(WhiteboardEvents.permissions)
  permissions(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return handleSocketEvent(socket, whiteboardSchemas[WhiteboardEvents.permissions], body, async (p, data) => {
      const sid = inRoom(data);
      const saved = await this.whiteboard.setPermissions(data.session, sid, { mode: p.mode, userIds: p.userIds ?? [] });
      this.server.to(roomOf(sid)).emit(WhiteboardEvents.permissionsChanged, saved);
      return saved;
    }, this.logger);
  }
}
