import { Inject, Logger } from '@nestjs/common';
import { ConnectedSocket, MessageBody, OnGatewayInit, SubscribeMessage, WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import type { Server, Socket } from 'socket.io';
import { roomOf, sessionOfRoom } from '../classroom/socket-rooms';
import { WhiteboardEvents, whiteboardSchemas } from '../contracts/whiteboard';
import type { AppConfig } from '../config/config';
import { NotFoundError } from '../platform/domain-error';
import { APP_CONFIG } from '../platform/redis';
import { handleSocketEvent, SocketData } from '../platform/socket-events';
import { BoardStore } from './board-store.service';
import { WhiteboardService } from './whiteboard.service';

const inRoom = (data: SocketData) => {
  if (!data.sessionId) throw new NotFoundError('NOT_IN_ROOM', 'Join the class first');
  return data.sessionId;
};

/**
 * The whiteboard over the live room's socket (same server, same auth): ops in, effects out. Each
 * instance follows the board of every class it has sockets in and sends each op's effects to its own
 * sockets as its copy applies it (in the board's order), so the effects do not travel through the
 * socket.io adapter.
 */
@WebSocketGateway({ path: '/socket.io' })
export class WhiteboardGateway implements OnGatewayInit {
  private readonly logger = new Logger('WhiteboardGateway');
  @WebSocketServer() server: Server;

  constructor(
    private readonly whiteboard: WhiteboardService,
    private readonly store: BoardStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  afterInit(server: Server): void {
    const adapter = server.of('/').adapter;
    adapter.on('create-room', (room: string) => {
      const sid = sessionOfRoom(room);
      if (sid) this.store.follow(sid, true).catch((e) => this.logger.warn(`following the board of ${sid}: ${(e as Error).message}`));
    });
    adapter.on('delete-room', (room: string) => {
      const sid = sessionOfRoom(room);
      if (sid) this.store.unfollow(sid);
    });
    this.store.onApplied = (sid, entry, board) => {
      const to = server.local.to(roomOf(sid));
      const others = entry.origin ? to.except(entry.origin) : to;
      if (this.config.whiteboardNaiveBroadcast) {
        // The naive design, kept only to measure against: the whole board to everyone after every op.
        others.emit('wb:board', { seq: board.seq, order: board.pageOrder, pages: board.pages });
      } else {
        // Only the delta goes out, to everyone else (the sender has it in its ack).
        others.emit(WhiteboardEvents.effects, { seq: entry.seq, userId: entry.userId, effects: entry.effects });
      }
    };
  }

  @SubscribeMessage(WhiteboardEvents.op)
  op(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return handleSocketEvent(socket, whiteboardSchemas[WhiteboardEvents.op], body, (op, data) => this.whiteboard.apply(data.session, inRoom(data), op, socket.id), this.logger);
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
