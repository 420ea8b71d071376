import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { Queue } from 'bull';
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { Subscription } from 'rxjs';
import {
  BoardOp,
  DrawPermissions,
  LIMITS,
  MIN_WHITEBOARD_PROTOCOL,
  SyncAnswer,
  TeacherView,
  WHITEBOARD_PROTOCOL,
  WhiteboardProtocolErrors,
} from '../contracts/whiteboard';
import type { SessionClaims } from '../platform/auth/session-token';
import { DomainError, ForbiddenError, NotFoundError } from '../platform/domain-error';
import { DomainEvents } from '../platform/domain-events';
import { REDIS } from '../platform/redis';
import { canTeach } from '../tenancy/domain/role-mapping';
import { BoardStore } from './board-store.service';
import { boardFromData, emptyBoard, pagesToData } from './domain/board';
import { protocolVerdict } from './domain/protocol-version';
import { SavedBoardsRepository } from './infra/saved-boards.repository';

export const WHITEBOARD_QUEUE = 'whiteboard';
/** A board save: during class at each page change, and the last one at the end of class (which also frees Redis). */
export interface SaveBoardJob {
  sessionId: string;
  courseId: string;
  final: boolean;
}

const viewKey = (sid: string) => `wb:${sid}:teacher-view`;
const HISTORY_PAGE = 2000;
const TEACHER_ONLY_OPS = new Set(['add-page']);

/**
 * Whiteboard rules: who may draw, the teacher's view for follow mode, page-change times, and the board
 * saved to Postgres (a Bull job, retried) at every page change and at the end of class. If Redis loses a
 * live board, it comes back from the last save.
 */
@Injectable()
export class WhiteboardService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Whiteboard');
  private subscription?: Subscription;

  constructor(
    private readonly store: BoardStore,
    private readonly savedBoards: SavedBoardsRepository,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly events: DomainEvents,
    @InjectQueue(WHITEBOARD_QUEUE) private readonly queue: Queue<SaveBoardJob>,
  ) {}

  onModuleInit(): void {
    // At the end of class the board is saved to Postgres (read-only afterwards) and leaves Redis.
    this.subscription = this.events.on('session.ended').subscribe(({ sessionId, courseId }) => {
      void this.requestSave(sessionId, courseId, true);
    });
  }

  /** Queues a save of the board (retried with backoff); a failure to queue is logged, never thrown at the caller. */
  async requestSave(sessionId: string, courseId: string, final: boolean): Promise<void> {
    await this.queue
      .add(
        'save',
        { sessionId, courseId, final },
        { attempts: 8, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: 50, removeOnFail: 100 },
      )
      .catch((e) => this.logger.error(`queueing a save of the board of ${sessionId} failed: ${(e as Error).message}`));
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
  }

  /** Who may draw (the store checks every op against it, in the board's order). */
  permissions(sessionId: string): Promise<DrawPermissions> {
    return this.store.permissions(sessionId);
  }

  async setPermissions(session: SessionClaims, sessionId: string, p: DrawPermissions): Promise<DrawPermissions> {
    if (!canTeach(session.role)) throw new ForbiddenError('TEACHER_ONLY', 'Only instructors decide who may draw');
    await this.store.setPermissions(sessionId, p);
    return p;
  }

  /** Applies an op from `origin` (the sending socket, left out when the effects go to the class). */
  async apply(session: SessionClaims, sessionId: string, op: BoardOp, origin?: string) {
    const teacher = canTeach(session.role);
    if (!teacher && TEACHER_ONLY_OPS.has(op.type))
      throw new ForbiddenError('TEACHER_ONLY', 'Only instructors add pages');
    // Who may draw is checked where the op takes its place in the board's order (the store's APPEND).
    return this.store.apply(sessionId, session.userId, op, { origin, teacher });
  }

  /**
   * What a client needs to catch up from `since` (R14: once its protocol is one this server serves):
   * the ops or the pages, the teacher's view and who may draw.
   */
  async sync(sessionId: string, since: number, protocol: number | undefined): Promise<SyncAnswer> {
    const verdict = protocolVerdict(protocol);
    if (verdict === 'outdated') {
      throw new DomainError(
        WhiteboardProtocolErrors.outdated,
        `This page speaks whiteboard protocol ${protocol ?? 1}; the server needs ${MIN_WHITEBOARD_PROTOCOL} or later. Reload the page.`,
        426,
      );
    }
    if (verdict === 'unsupported') {
      throw new DomainError(
        WhiteboardProtocolErrors.unsupported,
        `This server speaks whiteboard protocol ${WHITEBOARD_PROTOCOL} at most; it is being updated. Try again shortly.`,
        503,
      );
    }
    const [board, teacherView, permissions] = await Promise.all([
      this.store.since(sessionId, since),
      this.teacherView(sessionId),
      this.permissions(sessionId),
    ]);
    return { ...board, teacherView, permissions };
  }

  pages(sessionId: string) {
    return this.store.pages(sessionId);
  }

  /**
   * Starts other boards (breakout rooms) with a copy of this board's current page (the instructor's page,
   * else the first): each element is added again by `userId` through the ordinary ops, long strokes in
   * pieces, so the copies are boards like any other (undo, sync, saves).
   */
  async copyCurrentPage(from: string, to: readonly string[], userId: string): Promise<number> {
    const [{ order, pages }, view] = await Promise.all([this.store.pages(from), this.teacherView(from)]);
    const page = (view && Object.hasOwn(pages, view.page) ? pages[view.page] : undefined) ?? pages[order[0]];
    if (!page) return 0;
    let copied = 0;
    for (const target of to) {
      const first = emptyBoard().pageOrder[0];
      for (const elementId of page.order) {
        if (!Object.hasOwn(page.elements, elementId)) continue;
        const { author: _author, ...element } = page.elements[elementId];
        const chunks: BoardOp[] = [];
        if (element.kind === 'stroke' && element.points.length > LIMITS.pointsPerOp) {
          const points = element.points;
          chunks.push({
            type: 'add',
            opId: randomUUID(),
            page: first,
            elementId,
            element: { ...element, points: points.slice(0, LIMITS.pointsPerOp) },
          });
          for (let i = LIMITS.pointsPerOp; i < points.length; i += LIMITS.pointsPerOp)
            chunks.push({
              type: 'append',
              opId: randomUUID(),
              page: first,
              elementId,
              points: points.slice(i, i + LIMITS.pointsPerOp),
            });
        } else chunks.push({ type: 'add', opId: randomUUID(), page: first, elementId, element });
        for (const op of chunks) await this.store.apply(target, userId, op, { teacher: true });
        copied++;
      }
    }
    return copied;
  }

  async teacherView(sessionId: string): Promise<TeacherView | null> {
    const raw = await this.redis.get(viewKey(sessionId));
    return raw ? (JSON.parse(raw) as TeacherView) : null;
  }

  /**
   * The teacher's page and viewport, for follow mode; a page change is recorded with its time (recording
   * chapters) and saves the board to Postgres.
   */
  async follow(session: SessionClaims, sessionId: string, view: TeacherView): Promise<TeacherView> {
    if (!canTeach(session.role)) throw new ForbiddenError('TEACHER_ONLY', 'Only instructors lead the board');
    const previous = await this.teacherView(sessionId);
    await this.redis.set(viewKey(sessionId), JSON.stringify(view), 'EX', 7 * 86400);
    if (previous?.page !== view.page) {
      await this.savedBoards.recordPageChange(sessionId, view.page);
      await this.requestSave(sessionId, session.courseId, false);
    }
    return view;
  }

  /** Saves the board to Postgres; the final save (end of class) also removes it from Redis. Run by the queue. */
  async persist(sessionId: string, courseId: string, final: boolean): Promise<void> {
    const board = await this.store.pages(sessionId);
    if (final) {
      // The op history with times (R15) is what the recording replays; kept before the board leaves Redis.
      for (let from = 0; ; from += HISTORY_PAGE) {
        const page = await this.store.history(sessionId, from, HISTORY_PAGE);
        await this.savedBoards.saveHistory(sessionId, page);
        if (page.length < HISTORY_PAGE) break;
      }
    }
    await this.savedBoards.save(sessionId, courseId, board);
    if (!final) return;
    await this.store.drop(sessionId);
    await this.redis.del(viewKey(sessionId));
  }

  /**
   * For the recording of an ended class: the board's op history with times and the teacher's page changes,
   * or null while the final save has not run yet (the history is still in Redis: try again later).
   */
  async timeline(sessionId: string) {
    if (!(await this.savedBoards.finalSaved(sessionId))) return null;
    const [ops, pageChanges] = await Promise.all([
      this.savedBoards.history(sessionId),
      this.savedBoards.pageChanges(sessionId),
    ]);
    return { ops, pageChanges: pageChanges.map((c) => ({ page: c.page, at: new Date(c.at) })) };
  }

  /** The saved boards of this classroom's past classes, newest first. */
  async list(session: SessionClaims) {
    const rows = await this.savedBoards.listEnded(session.courseId, session.activityId);
    return rows.map((r) => ({
      sessionId: r.sessionId,
      startedAt: r.startedAt.toISOString(),
      savedAt: r.savedAt.toISOString(),
      pages: r.pages,
    }));
  }

  /** The board of a past class of the caller's classroom, read-only (not while it is live; not for someone removed from it). */
  async saved(session: SessionClaims, sessionId: string) {
    const row = await this.savedBoards.findEnded(sessionId, session.courseId, session.activityId, session.userId);
    if (!row) throw new NotFoundError('BOARD_NOT_FOUND', 'No saved board for this class in your course');
    const chapters = await this.savedBoards.pageChanges(sessionId);
    // Read through the board model (own keys only, reserved ids left out), whatever the saved JSON holds.
    const board = boardFromData({ seq: row.seq, pageOrder: row.pageOrder, pages: row.pages });
    return {
      seq: row.seq,
      order: board.pageOrder,
      pages: pagesToData(board),
      savedAt: row.savedAt.toISOString(),
      pageChanges: chapters,
    };
  }
}
