import {
  ConnectedSocket,
  MessageBody,
  OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
} from '@nestjs/websockets';
import type { Server, Socket } from 'socket.io';
import { teachersRoomOf, userRoomOf } from '../classroom/socket-rooms';
import {
  BroadcastAckData,
  BroadcastEventName,
  BroadcastEvents,
  BroadcastPayload,
  broadcastSchemas,
  BroadcastServerEvents,
} from '../contracts/broadcast';
import type { Ack } from '../contracts/realtime';
import { SocketContext, SocketGate } from '../platform/socket-events';
import { HlsHandoff } from './hls-handoff.service';

/** How often, at most, one instance tells a class's instructors the counts (a join storm is many changes). */
const PATHS_EVERY_MS = 1000;

/**
 * Big lectures over the live room's socket: a member asks where their media goes (WebRTC or the HLS
 * broadcast), an instructor promotes an HLS viewer to WebRTC and reads how many are on each path.
 */
@WebSocketGateway({ path: '/socket.io' })
export class BroadcastGateway implements OnGatewayInit {
  @WebSocketServer() server: Server;
  private readonly pathsDue = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly gate: SocketGate,
    private readonly handoff: HlsHandoff,
  ) {}

  afterInit(server: Server): void {
    this.handoff.onChange((sessionId) => {
      if (this.pathsDue.has(sessionId)) return;
      const timer = setTimeout(() => {
        this.pathsDue.delete(sessionId);
        void this.handoff.paths(sessionId).then(
          (paths) => server.to(teachersRoomOf(sessionId)).emit(BroadcastServerEvents.paths, paths),
          () => undefined,
        );
      }, PATHS_EVERY_MS);
      timer.unref();
      this.pathsDue.set(sessionId, timer);
    });
  }

  private run<E extends BroadcastEventName>(
    socket: Socket,
    event: E,
    raw: unknown,
    handler: (p: BroadcastPayload<E>, ctx: SocketContext) => Promise<BroadcastAckData[E]>,
  ): Promise<Ack<BroadcastAckData[E]>> {
    const access = event === BroadcastEvents.route ? 'member' : 'teacher';
    return this.gate.run(
      socket,
      { event, schema: broadcastSchemas[event], access, guests: event === BroadcastEvents.route },
      raw,
      (payload, ctx) => handler(payload as BroadcastPayload<E>, ctx),
    );
  }

  @SubscribeMessage(BroadcastEvents.route)
  route(@ConnectedSocket() s: Socket, @MessageBody() b: unknown) {
    return this.run(s, BroadcastEvents.route, b, (_p, { member }) =>
      this.handoff.route({
        sessionId: member.sessionId,
        userId: member.userId,
        canTeach: member.canTeach,
        guest: member.guest,
      }),
    );
  }

  @SubscribeMessage(BroadcastEvents.promote)
  promote(@ConnectedSocket() s: Socket, @MessageBody() b: unknown) {
    return this.run(s, BroadcastEvents.promote, b, async ({ userId }, { member }) => {
      const paths = await this.handoff.promote(member.sessionId, userId);
      this.server
        .to(userRoomOf(member.sessionId, userId))
        .emit(BroadcastServerEvents.promoted, { sessionId: member.sessionId });
      return paths;
    });
  }

  @SubscribeMessage(BroadcastEvents.paths)
  paths(@ConnectedSocket() s: Socket, @MessageBody() b: unknown) {
    return this.run(s, BroadcastEvents.paths, b, (_p, { member }) => this.handoff.paths(member.sessionId));
  }
}
