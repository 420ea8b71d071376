import { Injectable, Logger, Optional } from '@nestjs/common';
import { Metrics } from './metrics/metrics';
import type { Socket } from 'socket.io';
import type { z } from 'zod';
import { MAX_PAYLOAD_BYTES, type Ack } from '../contracts/realtime';
import { OBSERVER_EVENTS } from './auth/observer-access';
import type { SessionClaims } from './auth/session-token';
import { DomainError, ForbiddenError, NotFoundError } from './domain-error';
import { RateLimiter, socketRateLimitCheck } from './rate-limit/rate-limiter';

/**
 * A socket's membership of one class: written by the room gateway only after `room:join` was
 * authorised (course, classroom, class live, not removed) and the socket joined the class's rooms.
 * Frozen: nothing edits it; leaving replaces it with `undefined`. Every class-scoped handler resolves
 * its class from here, never from a payload or from a field written before a check.
 */
export interface ClassMembership {
  /** The class (the top-level live_session): presence, attendance, quizzes, class control. */
  readonly sessionId: string;
  /**
   * The live room the socket is in: the class's main room (equal to `sessionId`) or one of its breakout
   * rooms (a child live_session). Chat, the whiteboard and media act on this room; it changes only through
   * `breakout:enter`, after the placement was checked (students only reach the room they were placed in).
   */
  readonly roomId: string;
  readonly platformId: string;
  readonly courseId: string;
  readonly activityId: string;
  readonly userId: string;
  readonly canTeach: boolean;
  /** A guest by invite link (role `guest`): only events whose rule lets guests in. */
  readonly guest: boolean;
}

/**
 * A socket whose join found the class's door shut (the waiting room): it is not a member and reaches
 * nothing of the class; it hears only `waiting:admitted` / `waiting:denied` on its own socket room.
 */
export interface WaitingTicket {
  readonly sessionId: string;
  readonly userId: string;
}

/** What the live room keeps on each socket (set by the room gateway at connection and join). */
export interface SocketData {
  session: SessionClaims;
  /** Set only by an authorised join; see ClassMembership. */
  membership?: ClassMembership;
  /** Set while the socket waits to be let into a class (never together with a membership). */
  waiting?: WaitingTicket;
  /** The media peer this socket signals for (set by media:join, after the host accepted it). */
  mediaPeerId?: string;
  /** The class whose media it joined (kept after leaving the room, for the disconnect's grace period). */
  mediaSessionId?: string;
}

/**
 * Who may send an event: `connected` (any authenticated socket: joining), `member` (a socket whose
 * join of a class was authorised), `teacher` (a member who teaches that class).
 */
export type SocketAccess = 'connected' | 'member' | 'teacher';

export interface SocketEventRule<S extends z.ZodType> {
  event: string;
  schema: S;
  access: SocketAccess;
  /**
   * Whether a guest (invite link, role `guest`) may send it. Off unless a rule says so: a new event of any
   * domain is refused to guests (GUEST_NOT_ALLOWED) until its author decides a guest may send it.
   */
  guests?: boolean;
}

/** What a handler is given: the validated payload and, for member/teacher events, the authorised membership. */
export interface SocketContext {
  session: SessionClaims;
  data: SocketData;
  /** Present for `member` and `teacher` events (the gate refused the event otherwise). */
  member: ClassMembership;
}

/**
 * Refuses an event (throws a DomainError with a code) before its handler runs; the rate limiter and the
 * session revocation check plug in here. Called with the membership already resolved (null for
 * `connected` events) and the payload's serialised size.
 */
export type SocketEventCheck = (
  event: string,
  session: SessionClaims,
  member: ClassMembership | null,
  bytes: number,
) => void | Promise<void>;

/** Refused events (bad payloads, no access) one socket may send in a minute before it is disconnected. */
export const MAX_REFUSALS_PER_MINUTE = 300;
const REFUSALS_THAT_COST = new Set([
  'INVALID_PAYLOAD',
  'PAYLOAD_TOO_LARGE',
  'NOT_IN_ROOM',
  'TEACHER_ONLY',
  'WRONG_TENANT',
  'GUEST_NOT_ALLOWED',
]);

/** Events one socket may have waiting behind the one being handled; past that it is flooding. */
export const MAX_QUEUED_EVENTS_PER_SOCKET = 256;

interface SocketQueue {
  tail: Promise<unknown>;
  waiting: number;
}

/** Checks the membership against the socket's own session: same person, same tenant; teachers teach. */
export function resolveAccess(access: SocketAccess, data: SocketData): ClassMembership | null {
  if (access === 'connected') return null;
  const m = data.membership;
  if (!m) throw new NotFoundError('NOT_IN_ROOM', 'Join the class first');
  const s = data.session;
  if (
    m.userId !== s.userId ||
    m.platformId !== s.platformId ||
    m.courseId !== s.courseId ||
    m.activityId !== s.activityId
  ) {
    // Cannot happen through the join; refuse rather than act across tenants if it ever does.
    throw new ForbiddenError('WRONG_TENANT', 'This connection is not a member of that class');
  }
  if (access === 'teacher' && !m.canTeach) throw new ForbiddenError('TEACHER_ONLY', 'Only instructors can do this');
  return m;
}

function sizeOf(raw: unknown): number {
  try {
    return JSON.stringify(raw ?? null).length;
  } catch {
    return Infinity;
  }
}

/**
 * The one gate every socket event goes through. Per socket, events are handled one at a time in the
 * order they arrived, so no event runs against the half-finished state of the one before it (a
 * `wb:op` pipelined behind a `room:join` waits for the join's outcome). Then: size limit, schema,
 * token expiry, access (membership and role, from state written only after an authorised join), the
 * registered checks (rate limits, revoked sessions), and the handler. Every outcome is an ack
 * `{ ok, data | error: { code, message } }` and the socket stays up whatever was sent.
 */
@Injectable()
export class SocketGate {
  private readonly logger = new Logger('SocketGate');
  private readonly queues = new WeakMap<object, SocketQueue>();
  /** Refusals per socket in the current window (a cache per connection, nothing to keep). */
  private readonly refusals = new WeakMap<object, { since: number; count: number }>();

  /**
   * Refused events cost no rate limit (they are refused before it), but each still costs a parse: a socket
   * refused more than MAX_REFUSALS_PER_MINUTE times in a minute is sending garbage on purpose and is let go.
   */
  private countRefusal(socket: Socket): void {
    const now = Date.now();
    let r = this.refusals.get(socket);
    if (!r || now - r.since > 60_000) {
      r = { since: now, count: 0 };
      this.refusals.set(socket, r);
    }
    if (++r.count > MAX_REFUSALS_PER_MINUTE) {
      this.logger.warn(`closing socket ${socket.id}: ${r.count} refused events in a minute`, { socketId: socket.id });
      socket.disconnect(true);
    }
  }
  private readonly checks: SocketEventCheck[] = [];

  /** Every event is charged to its sender's rate limits (shared across instances in Redis) first. */
  constructor(
    @Optional() limiter?: RateLimiter,
    @Optional() private readonly metrics?: Metrics,
  ) {
    if (limiter) this.addCheck(socketRateLimitCheck(limiter));
  }

  /**
   * Counts the outcome (ok or the refusal code) and the latency from arrival to ack; at LOG_LEVEL=debug,
   * one JSON line per event with its socket id (what an operator follows one connection by).
   */
  private record<T>(socket: Socket, event: string, started: number, ack: Ack<T>): Ack<T> {
    const outcome = ack.ok ? 'ok' : ack.error.code;
    const ms = performance.now() - started;
    if (this.metrics) {
      this.metrics.socketEvents.inc({ event, outcome });
      this.metrics.socketDuration.observe({ event }, ms / 1000);
    }
    // The object after the message becomes the line's `params` (nestjs-pino's NativeLogger).
    this.logger.debug(`${event} ${outcome}`, {
      socketId: socket.id,
      userId: (socket.data as SocketData | undefined)?.session?.userId,
      event,
      outcome,
      ms: Math.round(ms * 10) / 10,
    });
    return ack;
  }

  /** Adds a check run on every event after access is resolved (in registration order). */
  addCheck(check: SocketEventCheck): void {
    this.checks.push(check);
  }

  run<S extends z.ZodType, T>(
    socket: Socket,
    rule: SocketEventRule<S>,
    raw: unknown,
    handler: (payload: z.infer<S>, ctx: SocketContext) => Promise<T> | T,
  ): Promise<Ack<T>> {
    const started = performance.now();
    let q = this.queues.get(socket);
    if (!q) {
      q = { tail: Promise.resolve(), waiting: 0 };
      this.queues.set(socket, q);
    }
    if (q.waiting >= MAX_QUEUED_EVENTS_PER_SOCKET) {
      return Promise.resolve(
        this.record<T>(socket, rule.event, started, {
          ok: false,
          error: {
            code: 'RATE_LIMITED',
            message: `Too many events waiting on this connection (${MAX_QUEUED_EVENTS_PER_SOCKET}); slow down`,
          },
        }),
      );
    }
    q.waiting++;
    const queue = q;
    const result = queue.tail
      .then(() => this.handle(socket, rule, raw, handler))
      .then((ack) => this.record(socket, rule.event, started, ack));
    queue.tail = result.finally(() => queue.waiting--);
    return result;
  }

  private async handle<S extends z.ZodType, T>(
    socket: Socket,
    rule: SocketEventRule<S>,
    raw: unknown,
    handler: (payload: z.infer<S>, ctx: SocketContext) => Promise<T> | T,
  ): Promise<Ack<T>> {
    try {
      const size = sizeOf(raw);
      if (size > MAX_PAYLOAD_BYTES)
        throw new DomainError('PAYLOAD_TOO_LARGE', `Payloads are limited to ${MAX_PAYLOAD_BYTES} bytes`, 413);
      const parsed = rule.schema.safeParse(raw ?? {});
      if (!parsed.success) {
        throw new DomainError(
          'INVALID_PAYLOAD',
          parsed.error.issues.map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`).join('; '),
          400,
        );
      }
      const data = socket.data as SocketData;
      if (!data?.session) throw new DomainError('UNAUTHENTICATED', 'This connection has no session', 401);
      // A socket outlives its token's expiry only until its next event.
      if (data.session.expiresAt !== undefined && data.session.expiresAt < Date.now()) {
        socket.disconnect(true);
        throw new DomainError('SESSION_EXPIRED', 'Your session has expired', 401);
      }
      if (data.session.role === 'guest' && !rule.guests)
        throw new ForbiddenError('GUEST_NOT_ALLOWED', 'Guests cannot do this');
      if (data.session.role === 'observer' && !OBSERVER_EVENTS.has(rule.event))
        throw new ForbiddenError('OBSERVER_READ_ONLY', 'Observers watch and read the class; they cannot do this');
      const member = resolveAccess(rule.access, data);
      for (const check of this.checks) await check(rule.event, data.session, member, size);
      // Re-read after the checks' awaits: a leave or a disconnect may have ended the membership meanwhile.
      const current = resolveAccess(rule.access, data);
      if (current !== member) throw new NotFoundError('NOT_IN_ROOM', 'Join the class first');
      return {
        ok: true,
        data: await handler(parsed.data, { session: data.session, data, member: member as ClassMembership }),
      };
    } catch (e) {
      if (e instanceof DomainError) {
        if (REFUSALS_THAT_COST.has(e.code)) this.countRefusal(socket);
        return { ok: false, error: { code: e.code, message: e.message } };
      }
      const who = (socket.data as SocketData | undefined)?.session;
      this.logger.error(`${rule.event} failed on socket ${socket.id}: ${e instanceof Error ? e.message : String(e)}`, {
        socketId: socket.id,
        event: rule.event,
        userId: who?.userId,
        stack: e instanceof Error ? e.stack : undefined,
      });
      return { ok: false, error: { code: 'INTERNAL', message: 'Something went wrong on our side' } };
    }
  }
}
