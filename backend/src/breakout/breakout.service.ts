import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { Queue } from 'bull';
import { randomUUID } from 'node:crypto';
import type { Subscription } from 'rxjs';
import { PresenceService } from '../classroom/presence.service';
import {
  BreakoutServerEvents,
  type BreakoutHelpRequest,
  type BreakoutOpen,
  type BreakoutState,
} from '../contracts/breakout';
import type { Participant } from '../contracts/realtime';
import type { SessionClaims } from '../platform/auth/session-token';
import { DomainEvents } from '../platform/domain-events';
import { ConflictError, DomainError, ForbiddenError, NotFoundError } from '../platform/domain-error';
import type { ClassMembership } from '../platform/socket-events';
import { WhiteboardService } from '../whiteboard/whiteboard.service';
import { BreakoutAnnouncer } from './breakout-announcer';
import {
  AssignmentError,
  assignByHand,
  assignFromPlan,
  assignRandomly,
  placeLateJoiner,
  roomNames,
  type PlanRoom,
  type Rooms,
} from './domain/assignment';
import { timerJobs } from './domain/timer';
import { BreakoutRepository } from './infra/breakout.repository';
import { BreakoutStore, type BreakoutRun } from './infra/breakout.store';

export const BREAKOUT_QUEUE = 'breakout';
export interface BreakoutTimerJob {
  sessionId: string;
  courseId: string;
  runId: string;
  endsAt: number;
}

/** Who is split into rooms: students and guests (instructors visit; observers and designers stay in the main room). */
const isPlaced = (p: Participant) => p.role === 'learner' || p.role === 'guest';

const assignmentError = (e: unknown): never => {
  if (e instanceof AssignmentError) throw new DomainError(e.code, e.message, 400);
  throw e;
};

/**
 * Breakout rooms of a live class (PROTOCOL.md). Splitting opens a live room per breakout (a child class
 * row, so chat, board and media work there as in any class) and places the students in Redis; sockets
 * move themselves with `breakout:enter`, which the gateway checks against the placement. Recalling (an
 * instructor, the timer's Bull job on any instance, or the class's end) takes the run from Redis once,
 * ends the rooms' rows and saves their boards.
 */
@Injectable()
export class BreakoutService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Breakouts');
  private subscription?: Subscription;

  constructor(
    private readonly repo: BreakoutRepository,
    private readonly store: BreakoutStore,
    private readonly presence: PresenceService,
    private readonly whiteboard: WhiteboardService,
    private readonly announcer: BreakoutAnnouncer,
    private readonly events: DomainEvents,
    @InjectQueue(BREAKOUT_QUEUE) private readonly queue: Queue<BreakoutTimerJob>,
  ) {}

  onModuleInit(): void {
    this.subscription = this.events.on('session.ended').subscribe(({ sessionId, courseId }) => {
      this.recall(sessionId, courseId).catch((e) =>
        this.logger.warn(`closing the breakouts of ended class ${sessionId}: ${(e as Error).message}`),
      );
    });
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
  }

  async open(member: ClassMembership, input: BreakoutOpen): Promise<BreakoutState> {
    const sid = member.sessionId;
    const parent = await this.repo.liveParent(sid, member.courseId);
    if (!parent) throw new ConflictError('CLASS_ENDED', 'This class has ended');
    const students = [...new Set((await this.presence.participants(sid)).filter(isPlaced).map((p) => p.userId))];
    let rooms: Rooms;
    let names: string[];
    let plan: PlanRoom[] | null = null;
    try {
      if (input.mode === 'random') {
        rooms = assignRandomly(students, input.rooms, { keepApart: input.keepApart });
        const defaults = roomNames(input.rooms);
        names = defaults.map((d, i) => input.names?.[i] ?? d);
      } else if (input.mode === 'hand') {
        const here = new Set(students);
        rooms = assignByHand(
          input.rooms.length,
          input.rooms.flatMap((r, room) => r.userIds.filter((u) => here.has(u)).map((userId) => ({ userId, room }))),
        );
        names = input.rooms.map((r) => r.name);
      } else {
        const found = await this.repo.plan(input.planId, member.courseId);
        if (!found) throw new NotFoundError('PLAN_NOT_FOUND', 'No such plan in this course');
        plan = found.rooms;
        rooms = assignFromPlan(plan, students);
        names = plan.map((r) => r.name);
      }
    } catch (e) {
      return assignmentError(e);
    }
    const run: BreakoutRun = {
      runId: randomUUID(),
      rooms: names.map((name) => ({ id: randomUUID(), name })),
      endsAt: null,
      plan,
    };
    const timer = input.durationSeconds ? timerJobs(Date.now(), input.durationSeconds) : null;
    run.endsAt = timer?.endsAt ?? null;
    const placed = rooms.flatMap((userIds, i) => userIds.map((u): [string, string] => [u, run.rooms[i].id]));
    const already = () => new ConflictError('BREAKOUTS_OPEN', 'Breakout rooms are already open: recall them first');
    if (await this.store.run(sid)) throw already();
    // The rows first: a room is in Redis (where the gate lets people in) only once it is a live room.
    await this.repo.openRooms(parent, member.userId, run.runId, run.rooms);
    if (!(await this.store.open(sid, run, placed))) {
      // Another instructor's split won the race: this one's rows go, theirs stay.
      await this.repo.dropRooms(run.rooms.map((r) => r.id)).catch(() => undefined);
      throw already();
    }
    this.events.emit('breakouts.opened', {
      sessionId: sid,
      courseId: member.courseId,
      at: new Date(),
      rooms: run.rooms.map((r) => r.name),
    });
    if (timer) await this.schedule(sid, member.courseId, run.runId, timer);
    if (input.copyBoard) await this.copyBoard(member, run.rooms).catch((e) => this.logger.warn(`board copy: ${e}`));
    return this.announceState(sid);
  }

  async move(member: ClassMembership, userId: string, roomId: string | null): Promise<BreakoutState> {
    const sid = member.sessionId;
    if (!(await this.store.run(sid))) throw new ConflictError('NO_BREAKOUTS', 'No breakout rooms are open');
    if (!(await this.store.place(sid, userId, roomId)))
      throw new NotFoundError('BREAKOUT_NOT_FOUND', 'No such breakout room is open');
    return this.announceState(sid);
  }

  /**
   * Where a socket may go: its own placement (students), any open room (instructors), the main room
   * (instructors; students only when not placed). Answers the room's name; refuses everything else.
   */
  async checkEnter(member: ClassMembership, roomId: string | null): Promise<{ roomId: string; name: string | null }> {
    const sid = member.sessionId;
    if (roomId === null || roomId === sid) {
      if (!member.canTeach && (await this.store.placementOf(sid, member.userId)))
        throw new ForbiddenError('PLACED_IN_BREAKOUT', 'You were placed in a breakout room');
      return { roomId: sid, name: null };
    }
    const run = await this.store.run(sid);
    const room = run?.rooms.find((r) => r.id === roomId);
    if (!room || !(await this.store.isOpen(sid, roomId)))
      throw new NotFoundError('BREAKOUT_NOT_FOUND', 'No such breakout room is open');
    if (!member.canTeach && (await this.store.placementOf(sid, member.userId)) !== roomId)
      throw new ForbiddenError('NOT_PLACED', 'You were not placed in that room');
    return { roomId, name: room.name };
  }

  /** An instructor arrived in a room or left it: the room hears it, the panel shows it, help there is answered. */
  async visited(member: ClassMembership, session: SessionClaims, from: string, to: string): Promise<void> {
    const sid = member.sessionId;
    if (!member.canTeach) return;
    await this.store.setVisitor(sid, member.userId, to === sid ? null : to);
    const who = { userId: member.userId, name: session.name };
    if (from !== sid)
      this.announcer.announce({
        to: 'room',
        roomId: from,
        event: BreakoutServerEvents.visitor,
        payload: { roomId: from, ...who, arrived: false },
      });
    if (to !== sid) {
      this.announcer.announce({
        to: 'room',
        roomId: to,
        event: BreakoutServerEvents.visitor,
        payload: { roomId: to, ...who, arrived: true },
      });
      const placed = await this.store.placements(sid);
      await this.store.answerHelp(
        sid,
        [...placed].filter(([, r]) => r === to).map(([u]) => u),
      );
    }
    await this.announceState(sid);
  }

  async broadcast(member: ClassMembership, session: SessionClaims, text: string): Promise<{ rooms: number }> {
    const run = await this.store.run(member.sessionId);
    if (!run) throw new ConflictError('NO_BREAKOUTS', 'No breakout rooms are open');
    this.announcer.announce({
      to: 'class',
      sessionId: member.sessionId,
      event: BreakoutServerEvents.note,
      payload: { text, from: session.name, at: new Date().toISOString() },
    });
    return { rooms: run.rooms.length };
  }

  async setTimer(member: ClassMembership, durationSeconds: number | null): Promise<BreakoutState> {
    const sid = member.sessionId;
    const run = await this.store.run(sid);
    if (!run) throw new ConflictError('NO_BREAKOUTS', 'No breakout rooms are open');
    const timer = durationSeconds ? timerJobs(Date.now(), durationSeconds) : null;
    // Jobs of an earlier end time find it changed and do nothing.
    if (!(await this.store.update(sid, { ...run, endsAt: timer?.endsAt ?? null })))
      throw new ConflictError('NO_BREAKOUTS', 'No breakout rooms are open');
    if (timer) await this.schedule(sid, member.courseId, run.runId, timer);
    return this.announceState(sid);
  }

  private async schedule(sid: string, courseId: string, runId: string, t: ReturnType<typeof timerJobs>): Promise<void> {
    const data: BreakoutTimerJob = { sessionId: sid, courseId, runId, endsAt: t.endsAt };
    const opts = { attempts: 10, backoff: { type: 'exponential', delay: 500 }, removeOnComplete: true };
    await this.queue.add('warn', data, { ...opts, jobId: `warn:${runId}:${t.endsAt}`, delay: t.warnDelayMs });
    await this.queue.add('close', data, { ...opts, jobId: `close:${runId}:${t.endsAt}`, delay: t.closeDelayMs });
  }

  /** The timer's jobs (any instance): only the run and end time they were queued for. */
  async timerFired(kind: 'warn' | 'close', job: BreakoutTimerJob): Promise<void> {
    const run = await this.store.run(job.sessionId);
    if (!run || run.runId !== job.runId || run.endsAt !== job.endsAt) return;
    if (kind === 'warn')
      this.announcer.announce({
        to: 'class',
        sessionId: job.sessionId,
        event: BreakoutServerEvents.warning,
        payload: { endsAt: new Date(job.endsAt).toISOString() },
      });
    else await this.recall(job.sessionId, job.courseId, job.runId);
  }

  /**
   * Closes the rooms and brings everyone back (idempotent: only the caller that takes the run from Redis
   * acts). The rooms' rows end, so nothing more is written there; their boards are saved for after class.
   */
  async recall(sid: string, courseId: string, runId?: string): Promise<BreakoutState> {
    const run = await this.store.take(sid, runId);
    if (run) this.events.emit('breakouts.closed', { sessionId: sid, courseId, at: new Date() });
    const ended = await this.repo.closeRooms(sid);
    for (const roomId of ended)
      await this.whiteboard
        .requestSave(roomId, courseId, true)
        .catch((e) => this.logger.warn(`saving the board of ${roomId}: ${(e as Error).message}`));
    if (!run && !ended.length) return this.state(sid);
    return this.announceState(sid);
  }

  async recallBy(member: ClassMembership): Promise<BreakoutState> {
    return this.recall(member.sessionId, member.courseId);
  }

  async askHelp(member: ClassMembership, session: SessionClaims): Promise<BreakoutHelpRequest> {
    const sid = member.sessionId;
    if (member.canTeach) throw new ForbiddenError('STUDENTS_ONLY', 'Students ask for help');
    if (member.roomId === sid) throw new ConflictError('NOT_IN_BREAKOUT', 'You are in the main room');
    const request: BreakoutHelpRequest = {
      roomId: member.roomId,
      userId: member.userId,
      name: session.name,
      at: new Date().toISOString(),
    };
    await this.store.askHelp(sid, member.userId, JSON.stringify(request));
    this.announcer.announce({
      to: 'teachers',
      sessionId: sid,
      event: BreakoutServerEvents.helpRequested,
      payload: request,
    });
    return request;
  }

  /** The state for one socket; a student arriving after the split is placed now (their plan's room or the smallest). */
  async sync(
    member: ClassMembership,
    session: SessionClaims,
  ): Promise<BreakoutState & { mine: string | null; here: string | null }> {
    const sid = member.sessionId;
    const run = await this.store.run(sid);
    let mine: string | null = null;
    if (run && !member.canTeach) {
      mine = await this.store.placementOf(sid, member.userId);
      if (!mine && (session.role === 'learner' || session.role === 'guest') && run.rooms.length) {
        const placements = await this.store.placements(sid);
        const rooms: Rooms = run.rooms.map((r) => [...placements].filter(([, room]) => room === r.id).map(([u]) => u));
        const target = run.rooms[placeLateJoiner(rooms, member.userId, run.plan ?? undefined)].id;
        await this.store.place(sid, member.userId, target, true);
        mine = await this.store.placementOf(sid, member.userId);
        if (mine) await this.announceState(sid);
      }
    }
    const state = await this.state(sid, member.canTeach);
    return { ...state, mine, here: member.roomId === sid ? null : member.roomId };
  }

  /** The class's people now (whichever room they are in). */
  people(sid: string): Promise<Participant[]> {
    return this.presence.participants(sid);
  }

  /** The rooms now, with names from presence; help requests only for instructors. */
  async state(sid: string, forTeacher = false): Promise<BreakoutState> {
    const run = await this.store.run(sid);
    if (!run) return { active: false, runId: null, rooms: [], endsAt: null, help: [] };
    const [placed, visitors, people, help] = await Promise.all([
      this.store.placements(sid),
      this.store.visitors(sid),
      this.presence.participants(sid),
      forTeacher ? this.store.help(sid) : Promise.resolve([]),
    ]);
    const names = new Map(people.map((p) => [p.userId, p.name]));
    const who = (ids: string[]) => ids.map((userId) => ({ userId, name: names.get(userId) ?? '' }));
    return {
      active: true,
      runId: run.runId,
      endsAt: run.endsAt ? new Date(run.endsAt).toISOString() : null,
      rooms: run.rooms.map((r) => ({
        id: r.id,
        name: r.name,
        students: who([...placed].filter(([, room]) => room === r.id).map(([u]) => u)),
        visitors: who([...visitors].filter(([, room]) => room === r.id).map(([u]) => u)),
      })),
      help: help.map((h) => JSON.parse(h) as BreakoutHelpRequest),
    };
  }

  private async announceState(sid: string): Promise<BreakoutState> {
    const state = await this.state(sid);
    this.announcer.announce({ to: 'class', sessionId: sid, event: BreakoutServerEvents.state, payload: state });
    return state;
  }

  /** Each room's board starts with the main board's current page (the instructor's page, else the first). */
  private async copyBoard(member: ClassMembership, rooms: Array<{ id: string }>): Promise<void> {
    await this.whiteboard.copyCurrentPage(
      member.sessionId,
      rooms.map((r) => r.id),
      member.userId,
    );
  }
}
