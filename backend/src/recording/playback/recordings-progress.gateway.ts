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
import {
  RecordingsEvents,
  recordingsSchemas,
  RecordingsServerEvents,
  type RecordingsAckData,
  type RecordingsServerPayloads,
} from '../../contracts/recording-playback';
import { ForbiddenError } from '../../platform/domain-error';
import { SocketGate } from '../../platform/socket-events';
import { canTeach } from '../../tenancy/domain/role-mapping';
import { RecordingJobService } from '../recording-job.service';
import { RecordingsPlaybackService } from './recordings-playback.service';

/** The socket.io room of a course's instructors watching its recordings being made. */
export const recordingsWatchRoomOf = (courseId: string) => `recordings:${courseId}`;
/** The socket.io room of a course's members whose Recordings page is open (told when their list changed). */
export const recordingsFollowRoomOf = (courseId: string) => `recordings-list:${courseId}`;

// `connected`: the Recordings page is outside any live class; the course and role come from the socket's
// own session (never from the payload), checked below before the socket joins anything.
const WATCH = {
  event: RecordingsEvents.watch,
  schema: recordingsSchemas[RecordingsEvents.watch],
  access: 'connected',
} as const;

// `connected` too; guests are refused by the gate (no `guests`), observers let in by OBSERVER_EVENTS.
const FOLLOW = {
  event: RecordingsEvents.follow,
  schema: recordingsSchemas[RecordingsEvents.follow],
  access: 'connected',
} as const;

/**
 * Job progress pushed to the Recordings page: an instructor's socket watches its course; each update of a
 * job (RecordingJobService.updates, on the instance running it) is emitted to the course's watchers through
 * the socket.io Redis adapter, so it reaches their sockets on every instance.
 */
@WebSocketGateway({ path: '/socket.io' })
export class RecordingsProgressGateway implements OnGatewayInit, OnModuleDestroy {
  @WebSocketServer() server: Server;
  private readonly subscriptions: Subscription[] = [];

  constructor(
    private readonly jobs: RecordingJobService,
    private readonly playback: RecordingsPlaybackService,
    private readonly gate: SocketGate,
  ) {}

  afterInit(): void {
    const changed = (courseId: string) => {
      const payload: RecordingsServerPayloads[typeof RecordingsServerEvents.changed] = {};
      this.server.to(recordingsFollowRoomOf(courseId)).emit(RecordingsServerEvents.changed, payload);
    };
    this.subscriptions.push(
      this.jobs.updates.subscribe(({ courseId, update }) => {
        const payload: RecordingsServerPayloads[typeof RecordingsServerEvents.progress] = update;
        this.server.to(recordingsWatchRoomOf(courseId)).emit(RecordingsServerEvents.progress, payload);
        // A new recording in the students' list: their pages read it at once instead of at their next poll.
        if (update.status === 'ready') changed(courseId);
      }),
      this.playback.listChanges.subscribe(changed),
    );
  }

  onModuleDestroy(): void {
    for (const s of this.subscriptions) s.unsubscribe();
  }

  @SubscribeMessage(RecordingsEvents.watch)
  watch(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return this.gate.run(
      socket,
      WATCH,
      body,
      async (_p, { session }): Promise<RecordingsAckData[typeof RecordingsEvents.watch]> => {
        if (!canTeach(session.role))
          throw new ForbiddenError('TEACHER_ONLY', "Only instructors follow the recordings' progress");
        await socket.join(recordingsWatchRoomOf(session.courseId));
        return { watching: true };
      },
    );
  }

  @SubscribeMessage(RecordingsEvents.follow)
  follow(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return this.gate.run(
      socket,
      FOLLOW,
      body,
      async (_p, { session }): Promise<RecordingsAckData[typeof RecordingsEvents.follow]> => {
        await socket.join(recordingsFollowRoomOf(session.courseId));
        return { following: true };
      },
    );
  }
}
