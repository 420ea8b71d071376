import crypto from 'node:crypto';
import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';
import { Subject, Subscription } from 'rxjs';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config';
import type { GuestEnterResponse, GuestLinkCreated, GuestLinkInfo, GuestLinkView } from '../contracts/class-control';
import { GUEST_ENDED_TTL_SECONDS, guestEndedKey } from '../platform/auth/guest-access';
import { SESSION_TOKENS } from '../platform/auth/session.guard';
import { classroomOf, type SessionClaims, SessionTokens } from '../platform/auth/session-token';
import { ConflictError, DomainError, ForbiddenError, NotFoundError } from '../platform/domain-error';
import { DomainEvents } from '../platform/domain-events';
import { REDIS } from '../platform/redis';
import { canTeach } from '../tenancy/domain/role-mapping';
import { TenancyService } from '../tenancy/tenancy.service';
import { guestLinkKey, type GuestLinkOptions, linkRefusal, signGuestLink, verifyGuestLink } from './domain/guest-link';
import { ClassControlRepository, type GuestEnded, type GuestLinkRow } from './infra/class-control.repository';
import { LiveSessionRepository } from './infra/live-session.repository';

const toView = (l: GuestLinkRow): GuestLinkView => ({
  id: l.id,
  label: l.label,
  expiresAt: l.expiresAt.toISOString(),
  singleUse: l.singleUse,
  needsAdmission: l.needsAdmission,
  usedAt: l.usedAt ? l.usedAt.toISOString() : null,
  revokedAt: l.revokedAt ? l.revokedAt.toISOString() : null,
  createdAt: l.createdAt.toISOString(),
  guests: l.guests,
});

/**
 * Guests by invite link. An instructor makes a signed, expiring link for their classroom (optionally for
 * one person, optionally needing admission); a guest opens it, gives a name and gets a session token of
 * role `guest` bound to the class live then. Revoking the link, removing the guest or the class's end
 * ends their access on every instance: a Redis key every instance's guard and socket check reads, and
 * their sockets (on whichever instance, through the socket.io adapter) are let go by the room gateway,
 * which listens to `ended`.
 */
@Injectable()
export class GuestService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Guests');
  private readonly key: Uint8Array;
  private subscription?: Subscription;
  /** Guests whose access just ended, with why: the room gateway lets their sockets go. */
  readonly ended = new Subject<{ guests: GuestEnded[]; reason: 'revoked' | 'removed' | 'class-ended' }>();

  constructor(
    private readonly repo: ClassControlRepository,
    private readonly sessions: LiveSessionRepository,
    private readonly tenancy: TenancyService,
    private readonly events: DomainEvents,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(SESSION_TOKENS) private readonly tokens: SessionTokens,
  ) {
    this.key = guestLinkKey(config.sessionSecret);
  }

  onModuleInit(): void {
    // Guests are gone when their class ends.
    this.subscription = this.events.on('session.ended').subscribe(({ sessionId }) => {
      void this.repo
        .endGuestsOf(sessionId)
        .then((guests) => this.markEnded(guests, 'class-ended'))
        .catch((e: Error) => this.logger.warn(`ending the guests of class ${sessionId} failed: ${e.message}`));
    });
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
    this.ended.complete();
  }

  async createLink(session: SessionClaims, options: GuestLinkOptions): Promise<GuestLinkCreated> {
    assertTeacher(session);
    const activityId = classroomOf(session);
    await this.tenancy.activityView(activityId, session.courseId); // NOT_FOUND outside the caller's course
    const expiresAt = new Date(Date.now() + options.expiresInMinutes * 60_000);
    const row = await this.repo.createLink({
      courseId: session.courseId,
      activityId,
      createdBy: session.userId,
      label: options.label || null,
      expiresAt,
      singleUse: options.singleUse,
      needsAdmission: options.needsAdmission,
    });
    const token = await signGuestLink(this.key, { linkId: row.id, activityId, courseId: session.courseId }, expiresAt);
    // The token rides in the fragment: it never reaches a server log or a Referer header.
    return { link: toView(row), url: `${this.config.publicUrl}/guest#${token}` };
  }

  async links(session: SessionClaims): Promise<GuestLinkView[]> {
    assertTeacher(session);
    return (await this.repo.links(classroomOf(session), session.courseId)).map(toView);
  }

  /** Revokes a link: nobody comes in by it again, and the guests who did are let go at once. */
  async revoke(session: SessionClaims, linkId: string): Promise<GuestLinkView> {
    assertTeacher(session);
    const { found, ended } = await this.repo.revoke(linkId, classroomOf(session), session.courseId);
    if (!found) throw new NotFoundError('GUEST_LINK_NOT_FOUND', 'No such invite link in this classroom');
    await this.markEnded(ended, 'revoked');
    return toView((await this.repo.link(linkId))!);
  }

  /** A guest removed by an instructor: their access ends like a revoked link's. */
  async removed(sessionId: string, userId: string): Promise<void> {
    if (await this.repo.endGuest(userId, sessionId, 'removed'))
      await this.markEnded([{ userId, sessionId }], 'removed');
  }

  /** What the guest's page shows (the link checked as for entering, nothing taken). */
  async info(token: string): Promise<GuestLinkInfo> {
    const { link } = await this.usableLink(token);
    const [activity, live] = await Promise.all([
      this.tenancy.activityView(link.activityId, link.courseId),
      this.sessions.findLive(link.activityId, link.courseId),
    ]);
    return {
      courseTitle: await this.tenancy.courseTitle(link.courseId),
      classroomTitle: activity.title,
      live: Boolean(live),
      needsAdmission: link.needsAdmission,
    };
  }

  /** A guest gives a name and comes into the class live now, with a session of their own. */
  async enter(token: string, name: string): Promise<GuestEnterResponse> {
    const { link } = await this.usableLink(token);
    const live = await this.sessions.findLive(link.activityId, link.courseId);
    if (!live) throw new ConflictError('CLASS_NOT_LIVE', 'The class has not started yet: try again when it has');
    if (link.singleUse && !(await this.repo.takeSingleUse(link.id)))
      throw new DomainError('GUEST_LINK_USED', 'This invite link was for one person and has been used', 410);
    const tenant = await this.repo.courseTenant(link.courseId);
    if (!tenant) throw new DomainError('GUEST_LINK_INVALID', 'This invite link is not valid', 401);
    // A user of the course's platform with no enrolment: never in the roster, the grades or attendance grades.
    const userId = await this.tenancy.ensureUser(tenant.platformId, `lectern-guest:${crypto.randomUUID()}`, {
      name,
      email: null,
    });
    await this.repo.addGuest({ userId, linkId: link.id, sessionId: live.id, name });
    const issued = await this.tokens.issue({
      userId,
      platformId: tenant.platformId,
      deploymentId: tenant.deploymentId,
      courseId: link.courseId,
      activityId: link.activityId,
      role: 'guest',
      name,
      guestOf: live.id,
    });
    return { token: issued.token, expiresAt: issued.expiresAt.toISOString(), landing: 'guest', sessionId: live.id };
  }

  /** A fresh token while the guest's access lasts (class live, link not revoked, not removed). */
  async refresh(session: SessionClaims): Promise<GuestEnterResponse> {
    const standing = await this.assertGuestStanding(session);
    const issued = await this.tokens.issue(session);
    return {
      token: issued.token,
      expiresAt: issued.expiresAt.toISOString(),
      landing: 'guest',
      sessionId: standing.sessionId,
    };
  }

  /** Throws GUEST_ENDED unless this guest may still be in their class (the room's join asks too). */
  async assertGuestStanding(session: SessionClaims): Promise<{ sessionId: string; needsAdmission: boolean }> {
    const standing = session.role === 'guest' ? await this.repo.guestStanding(session.userId) : null;
    if (!standing || standing.ended || standing.sessionId !== session.guestOf)
      throw new ForbiddenError('GUEST_ENDED', 'Your guest access to this class has ended');
    return standing;
  }

  private async usableLink(token: string): Promise<{ link: GuestLinkRow }> {
    const claims = await verifyGuestLink(this.key, token);
    const link = await this.repo.link(claims.linkId);
    // A signature over another row's ids cannot happen without the key; refuse rather than trust it.
    if (!link || link.activityId !== claims.activityId || link.courseId !== claims.courseId)
      throw new DomainError('GUEST_LINK_INVALID', 'This invite link is not valid', 401);
    const refusal = linkRefusal(link, new Date());
    if (refusal) throw refusal;
    return { link };
  }

  private async markEnded(guests: GuestEnded[], reason: 'revoked' | 'removed' | 'class-ended'): Promise<void> {
    if (!guests.length) return;
    const multi = this.redis.multi();
    for (const g of guests) multi.set(guestEndedKey(g.userId), reason, 'EX', GUEST_ENDED_TTL_SECONDS);
    await multi.exec();
    this.ended.next({ guests, reason });
  }
}

function assertTeacher(session: SessionClaims): void {
  if (!canTeach(session.role)) throw new ForbiddenError('TEACHER_ONLY', 'Only instructors can manage guest links');
}
