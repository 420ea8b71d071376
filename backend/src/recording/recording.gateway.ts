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
import { roomOf } from '../classroom/socket-rooms';
import {
  RecordingEvents,
  recordingSchemas,
  RecordingServerEvents,
  type RecordingAckData,
  type RecordingServerPayloads,
} from '../contracts/recording';
import { SocketAccess, SocketGate } from '../platform/socket-events';
import { RecordingService } from './recording.service';

const rule = <E extends keyof typeof recordingSchemas>(event: E, access: SocketAccess) => ({
  event,
  schema: recordingSchemas[event],
  access,
});
const RULES = {
  // Guests (invite link) are recorded too: they are told, like everyone.
  sync: { ...rule(RecordingEvents.sync, 'member'), guests: true },
  pause: rule(RecordingEvents.pause, 'teacher'),
};

/**
 * The recording state over the live room's socket: members ask for it after joining (the banner), the
 * class hears every change (the indicator), instructors pause and resume. Thin: the gate authorises,
 * RecordingService decides; changes from any instance reach the class through the Redis adapter.
 */
@WebSocketGateway({ path: '/socket.io' })
export class RecordingGateway implements OnGatewayInit, OnModuleDestroy {
  @WebSocketServer() server: Server;
  private subscription?: Subscription;

  constructor(
    private readonly recording: RecordingService,
    private readonly gate: SocketGate,
  ) {}

  afterInit(): void {
    this.subscription = this.recording.changed.subscribe(({ sessionId, state }) => {
      const payload: RecordingServerPayloads[typeof RecordingServerEvents.state] = state;
      this.server.to(roomOf(sessionId)).emit(RecordingServerEvents.state, payload);
    });
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
  }

  @SubscribeMessage(RecordingEvents.sync)
  sync(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return this.gate.run(
      socket,
      RULES.sync,
      body,
      (_p, { member }): Promise<RecordingAckData[typeof RecordingEvents.sync]> =>
        this.recording.state(member.sessionId),
    );
  }

  @SubscribeMessage(RecordingEvents.pause)
  pause(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return this.gate.run(
      socket,
      RULES.pause,
      body,
      ({ paused }, { member, session }): Promise<RecordingAckData[typeof RecordingEvents.pause]> =>
        this.recording.setPaused(member, session.name, paused),
    );
  }
}
