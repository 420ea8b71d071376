import { Inject, Logger } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
} from '@nestjs/websockets';
import type { Server, Socket } from 'socket.io';
import { roomOf, sessionOfRoom } from '../classroom/socket-rooms';
import {
  WhiteboardAckData,
  WhiteboardEvents,
  whiteboardSchemas,
  WhiteboardServerPayloads,
} from '../contracts/whiteboard';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config';
import { SocketAccess, SocketGate } from '../platform/socket-events';
import { BoardStore } from './board-store.service';
import { WhiteboardService } from './whiteboard.service';

/** Who may send each whiteboard event (the gate checks it; who may draw is checked by the board's append script). */
const rule = <E extends keyof typeof whiteboardSchemas>(event: E, access: SocketAccess) => ({
  event,
  schema: whiteboardSchemas[event],
  access,
});
type ServerEvent = keyof WhiteboardServerPayloads;
/** Sends a server event with its contract's payload type. */
const send = <E extends ServerEvent>(
  to: { emit(event: E, payload: WhiteboardServerPayloads[E]): unknown },
  event: E,
  payload: WhiteboardServerPayloads[E],
) => to.emit(event, payload);
type Answer<E extends keyof WhiteboardAckData> = Promise<WhiteboardAckData[E]>;

const RULES = {
  op: rule(WhiteboardEvents.op, 'member'),
  // Guests (invite link) see the board; drawing stays refused to them (GUEST_NOT_ALLOWED at the gate).
  sync: { ...rule(WhiteboardEvents.sync, 'member'), guests: true },
  follow: rule(WhiteboardEvents.follow, 'teacher'),
  permissions: rule(WhiteboardEvents.permissions, 'teacher'),
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
    private readonly gate: SocketGate,
  ) {}

  afterInit(server: Server): void {
    const adapter = server.of('/').adapter;
    adapter.on('create-room', (room: string) => {
      const sid = sessionOfRoom(room);
      if (sid)
        this.store
          .follow(sid, true)
          .catch((e) => this.logger.warn(`following the board of ${sid}: ${(e as Error).message}`));
    });
    adapter.on('delete-room', (room: string) => {
      const sid = sessionOfRoom(room);
      if (sid) this.store.unfollow(sid);
    });
    this.store.onApplied((sid, entry, board) => {
      const to = server.local.to(roomOf(sid));
      const others = entry.origin ? to.except(entry.origin) : to;
      if (this.config.whiteboardNaiveBroadcast) {
        // The naive design, kept only to measure against: the whole board to everyone after every op.
        send(others, WhiteboardEvents.board, { seq: board.seq, order: board.pageOrder, pages: board.pages });
      } else {
        // Only the delta goes out, to everyone else (the sender has it in its ack).
        send(others, WhiteboardEvents.effects, { seq: entry.seq, userId: entry.userId, effects: entry.effects });
      }
    });
  }

  @SubscribeMessage(WhiteboardEvents.op)
  op(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return this.gate.run(socket, RULES.op, body, (op, { session, member }): Answer<typeof WhiteboardEvents.op> =>
      this.whiteboard.apply(session, member.roomId, op, socket.id),
    );
  }

  @SubscribeMessage(WhiteboardEvents.sync)
  sync(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return this.gate.run(
      socket,
      RULES.sync,
      body,
      ({ since, protocol }, { member }): Answer<typeof WhiteboardEvents.sync> =>
        this.whiteboard.sync(member.roomId, since, protocol),
    );
  }

  @SubscribeMessage(WhiteboardEvents.follow)
  follow(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return this.gate.run(
      socket,
      RULES.follow,
      body,
      async (view, { session, member }): Answer<typeof WhiteboardEvents.follow> => {
        const sid = member.roomId;
        const saved = await this.whiteboard.follow(session, sid, view);
        send(socket.to(roomOf(sid)), WhiteboardEvents.teacherView, saved);
        return saved;
      },
    );
  }

  @SubscribeMessage(WhiteboardEvents.permissions)
  permissions(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return this.gate.run(
      socket,
      RULES.permissions,
      body,
      async (p, { session, member }): Answer<typeof WhiteboardEvents.permissions> => {
        const sid = member.roomId;
        const saved = await this.whiteboard.setPermissions(session, sid, { mode: p.mode, userIds: p.userIds ?? [] });
        send(this.server.to(roomOf(sid)), WhiteboardEvents.permissionsChanged, saved);
        return saved;
      },
    );
  }
}
