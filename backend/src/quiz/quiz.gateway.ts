import { Logger, OnModuleDestroy } from '@nestjs/common';
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
import { PresenceService } from '../classroom/presence.service';
import { roomOf, userRoomOf } from '../classroom/socket-rooms';
import {
  QuizEvents,
  quizSchemas,
  QuizServerEvents,
  type QuizAckData,
  type QuizServerPayloads,
} from '../contracts/quiz';
import { SocketAccess, SocketGate } from '../platform/socket-events';
import { canTeach } from '../tenancy/domain/role-mapping';
import { QuizAnnouncer, type QuizAnnouncement } from './quiz-announcer';
import { QuizService } from './quiz.service';

/** Who may send each quiz event (the gate checks it). Students only answer: the service refuses instructors. */
const rule = <E extends keyof typeof quizSchemas>(event: E, access: SocketAccess) => ({
  event,
  schema: quizSchemas[event],
  access,
});
const RULES = {
  launch: rule(QuizEvents.launch, 'teacher'),
  answer: rule(QuizEvents.answer, 'member'),
  close: rule(QuizEvents.close, 'teacher'),
  reveal: rule(QuizEvents.reveal, 'teacher'),
  sync: rule(QuizEvents.sync, 'member'),
  results: rule(QuizEvents.results, 'teacher'),
};
type Answer<E extends keyof QuizAckData> = Promise<QuizAckData[E]>;
type Target = { emit(event: string, payload: unknown): unknown };
const send = <E extends keyof QuizServerPayloads>(to: Target, event: E, payload: QuizServerPayloads[E]) =>
  to.emit(event, payload);

/** The live chart goes to instructors at most this often per quiz from each instance (300 answers → a few updates, not 300). */
export const TALLY_INTERVAL_MS = 100;

/**
 * Quizzes over the live room's socket. Handlers are thin: the gate authorises, the service decides.
 * Announcements (from handlers, HTTP re-marks or the time-limit job on any instance) go out through the
 * Redis adapter: the class's room, or the user rooms of its instructors (teacher-only data) or of one
 * student (their own result).
 */
@WebSocketGateway({ path: '/socket.io' })
export class QuizGateway implements OnGatewayInit, OnModuleDestroy {
  private readonly logger = new Logger('QuizGateway');
  @WebSocketServer() server: Server;
  private subscription?: Subscription;
  /** Quizzes with a chart update due from this instance (a cache of timers, nothing owned). */
  private readonly tallyDue = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly quizzes: QuizService,
    private readonly announcer: QuizAnnouncer,
    private readonly presence: PresenceService,
    private readonly gate: SocketGate,
  ) {}

  afterInit(): void {
    this.subscription = this.announcer.announcements.subscribe((a) => {
      this.deliver(a).catch((e) => this.logger.warn(`announcing ${a.to} in ${a.sessionId}: ${(e as Error).message}`));
    });
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
    for (const t of this.tallyDue.values()) clearTimeout(t);
    this.tallyDue.clear();
  }

  private async teacherRooms(sessionId: string): Promise<string[]> {
    return (await this.presence.participants(sessionId))
      .filter((p) => canTeach(p.role))
      .map((p) => userRoomOf(sessionId, p.userId));
  }

  private async deliver(a: QuizAnnouncement): Promise<void> {
    switch (a.to) {
      case 'launch': {
        const teachers = await this.teacherRooms(a.sessionId);
        const students = teachers.length
          ? this.server.to(roomOf(a.sessionId)).except(teachers)
          : this.server.to(roomOf(a.sessionId));
        send(students, QuizServerEvents.launched, { role: 'student', quiz: a.student });
        if (teachers.length)
          send(this.server.to(teachers), QuizServerEvents.launched, { role: 'teacher', quiz: a.teacher });
        return;
      }
      case 'teachers': {
        const teachers = await this.teacherRooms(a.sessionId);
        if (teachers.length) send(this.server.to(teachers), a.event, a.payload);
        return;
      }
      case 'class':
        if (a.event === QuizServerEvents.closed) send(this.server.to(roomOf(a.sessionId)), a.event, a.payload);
        else send(this.server.to(roomOf(a.sessionId)), a.event, a.payload);
        return;
      case 'user':
        send(this.server.to(userRoomOf(a.sessionId, a.userId)), a.event, a.payload);
        return;
    }
  }

  /** Coalesces chart updates: one per quiz per interval, carrying the counts as they are when it is sent. */
  private tallySoon(quizId: string): void {
    if (this.tallyDue.has(quizId)) return;
    this.tallyDue.set(
      quizId,
      setTimeout(() => {
        this.tallyDue.delete(quizId);
        this.quizzes
          .announceTally(quizId)
          .catch((e) => this.logger.warn(`tally of ${quizId}: ${(e as Error).message}`));
      }, TALLY_INTERVAL_MS),
    );
  }

  @SubscribeMessage(QuizEvents.launch)
  launch(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return this.gate.run(socket, RULES.launch, body, (input, { member }): Answer<typeof QuizEvents.launch> =>
      this.quizzes.launch(member, input),
    );
  }

  @SubscribeMessage(QuizEvents.answer)
  answer(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return this.gate.run(socket, RULES.answer, body, async (input, { member }): Answer<typeof QuizEvents.answer> => {
      const receipt = await this.quizzes.answer(member, input);
      this.tallySoon(receipt.quizId);
      return receipt;
    });
  }

  @SubscribeMessage(QuizEvents.close)
  close(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return this.gate.run(socket, RULES.close, body, ({ quizId }, { member }): Answer<typeof QuizEvents.close> =>
      this.quizzes.close(member, quizId),
    );
  }

  @SubscribeMessage(QuizEvents.reveal)
  reveal(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return this.gate.run(socket, RULES.reveal, body, ({ quizId }, { member }): Answer<typeof QuizEvents.reveal> =>
      this.quizzes.reveal(member, quizId),
    );
  }

  @SubscribeMessage(QuizEvents.sync)
  sync(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return this.gate.run(socket, RULES.sync, body, (_p, { member }): Answer<typeof QuizEvents.sync> =>
      this.quizzes.sync(member),
    );
  }

  @SubscribeMessage(QuizEvents.results)
  results(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return this.gate.run(socket, RULES.results, body, ({ quizId }, { member }): Answer<typeof QuizEvents.results> =>
      this.quizzes.results(member, quizId),
    );
  }
}
