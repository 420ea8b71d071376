import { OnModuleDestroy } from '@nestjs/common';
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
import { MediaServerEvents } from '../contracts/media';
import {
  Ack,
  AckData,
  ClassControlState,
  ClientEventName,
  ClientEvents,
  ClientPayload,
  schemas,
  ServerEvents,
  ServerPayloads,
} from '../contracts/realtime';
import { WhiteboardEvents } from '../contracts/whiteboard';
import { MediaService } from '../media/media.service';
import { SocketContext, SocketGate, WaitingTicket } from '../platform/socket-events';
import { ClassControlService } from './class-control.service';
import { GuestService } from './guest.service';
import { ClassControlStore } from './infra/class-control.store';
import { PresenceFanout } from './presence-fanout';
import { PresenceService } from './presence.service';
import { ROOM_ACCESS } from './room-access';
import { roomOf, teachersRoomOf, userRoomOf, waitRoomOf } from './socket-rooms';

/**
 * Class control over the room's socket: the waiting room (admit, deny, the switch), locks, asking to
 * unmute and allowing it, lowering a hand. Thin: the gate checks each event's rule (every one but asking
 * is an instructor's), ClassControlService decides, this tells the class. Also lets go of the sockets of
 * guests whose access ended (link revoked, removed), on whichever instance they are.
 */
@WebSocketGateway({ path: '/socket.io' })
export class ClassControlGateway implements OnGatewayInit, OnModuleDestroy {
  private subscription?: Subscription;
  @WebSocketServer() server: Server;

  constructor(
    private readonly control: ClassControlService,
    private readonly store: ClassControlStore,
    private readonly guests: GuestService,
    private readonly presence: PresenceService,
    private readonly media: MediaService,
    private readonly gate: SocketGate,
    private readonly fanout: PresenceFanout,
  ) {}

  afterInit(): void {
    this.subscription = this.guests.ended.subscribe(({ guests, reason }) => {
      if (reason === 'class-ended') return; // the class's end lets everyone go already
      for (const { sessionId, userId } of guests) {
        this.emit(userRoomOf(sessionId, userId), ServerEvents.removed, { by: 'The instructor' });
        this.emit(waitRoomOf(sessionId, userId), ServerEvents.denied, {
          message: 'Your invitation to this class was withdrawn.',
        });
        this.server.in(userRoomOf(sessionId, userId)).disconnectSockets(true);
        this.server.in(waitRoomOf(sessionId, userId)).disconnectSockets(true);
      }
    });
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
  }

  private emit<E extends keyof ServerPayloads>(to: string, event: E, payload: ServerPayloads[E]) {
    this.server.to(to).emit(event, payload);
  }

  private run<E extends ClientEventName>(
    socket: Socket,
    event: E,
    raw: unknown,
    handler: (payload: ClientPayload<E>, ctx: SocketContext) => Promise<AckData[E]>,
  ): Promise<Ack<AckData[E]>> {
    return this.gate.run(
      socket,
      { event, schema: schemas[event], ...ROOM_ACCESS[event] },
      raw,
      handler as (p: unknown, c: SocketContext) => Promise<AckData[E]>,
    );
  }

  /** The waiting list, to the class's teachers on every instance. */
  async announceWaiting(sessionId: string): Promise<void> {
    this.emit(teachersRoomOf(sessionId), ServerEvents.waitingList, { waiting: await this.control.waiting(sessionId) });
  }

  leaveWaiting(ticket: WaitingTicket, socketId: string): Promise<boolean> {
    return this.store.leaveWaiting(ticket.sessionId, ticket.userId, socketId);
  }

  private announce(sessionId: string, state: ClassControlState): ClassControlState {
    this.emit(roomOf(sessionId), ServerEvents.control, state);
    return state;
  }

  @SubscribeMessage(ClientEvents.teacherAdmit)
  admit(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return this.run(socket, ClientEvents.teacherAdmit, body, async ({ userIds }, { session, member }) => {
      const sid = member.sessionId;
      const admitted = await this.control.admit(session, sid, userIds);
      // Each one's waiting sockets join again by themselves; the admission is in Redis for that join to find.
      for (const userId of admitted) this.emit(waitRoomOf(sid, userId), ServerEvents.admitted, {});
      await this.announceWaiting(sid);
      return { admitted: admitted.length };
    });
  }

  @SubscribeMessage(ClientEvents.teacherDeny)
  deny(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return this.run(socket, ClientEvents.teacherDeny, body, async ({ userId, message }, { session, member }) => {
      const sid = member.sessionId;
      const text = await this.control.deny(session, sid, userId, message);
      this.emit(waitRoomOf(sid, userId), ServerEvents.denied, { message: text });
      this.server.in(waitRoomOf(sid, userId)).disconnectSockets(true);
      await this.announceWaiting(sid);
      return null;
    });
  }

  @SubscribeMessage(ClientEvents.teacherWaitingRoom)
  waitingRoom(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return this.run(socket, ClientEvents.teacherWaitingRoom, body, async ({ enabled }, { session, member }) =>
      this.announce(member.sessionId, await this.control.setWaitingRoom(session, member, enabled)),
    );
  }

  @SubscribeMessage(ClientEvents.teacherLocks)
  locks(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return this.run(socket, ClientEvents.teacherLocks, body, async (change, { session, member }) => {
      const sid = member.sessionId;
      const state = await this.control.setLocks(session, member, change, { socketId: socket.id, name: session.name });
      // The media client reads the policy (its buttons), the board who may draw, the people list their flags.
      this.server.to(roomOf(sid)).emit(MediaServerEvents.policyChanged, await this.media.policy(sid));
      if (change.whiteboard !== undefined)
        this.server
          .to(roomOf(sid))
          .emit(WhiteboardEvents.permissionsChanged, { mode: change.whiteboard ? 'nobody' : 'everyone', userIds: [] });
      if (change.mic || change.camera)
        for (const p of await this.presence.participants(sid)) this.fanout.updated(sid, p);
      return this.announce(sid, state);
    });
  }

  @SubscribeMessage(ClientEvents.teacherAllowUnmute)
  allowUnmute(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return this.run(socket, ClientEvents.teacherAllowUnmute, body, async ({ userIds }, { session, member }) => {
      const sid = member.sessionId;
      const state = await this.control.allowUnmute(session, member, userIds);
      for (const userId of userIds)
        this.emit(userRoomOf(sid, userId), ServerEvents.unmuteAllowed, { by: session.name });
      this.server.to(roomOf(sid)).emit(MediaServerEvents.policyChanged, await this.media.policy(sid));
      return this.announce(sid, state);
    });
  }

  @SubscribeMessage(ClientEvents.askUnmute)
  askUnmute(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return this.run(socket, ClientEvents.askUnmute, body, async ({ asking }, { member }) =>
      this.announce(member.sessionId, await this.control.askUnmute(member, asking)),
    );
  }

  @SubscribeMessage(ClientEvents.teacherAllowCamera)
  allowCamera(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return this.run(socket, ClientEvents.teacherAllowCamera, body, async ({ userId }, { session, member }) => {
      const sid = member.sessionId;
      await this.control.allowCamera(session, sid, userId);
      this.emit(userRoomOf(sid, userId), ServerEvents.cameraAllowed, { by: session.name });
      this.server.to(roomOf(sid)).emit(MediaServerEvents.policyChanged, await this.media.policy(sid));
      return null;
    });
  }

  @SubscribeMessage(ClientEvents.teacherLowerHand)
  lowerHand(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return this.run(socket, ClientEvents.teacherLowerHand, body, async ({ userId }, { session, member }) => {
      const p = await this.control.lowerHand(session, member.sessionId, userId);
      this.fanout.updated(member.sessionId, p);
      return p;
    });
  }
}
