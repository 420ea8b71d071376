import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { Queue } from 'bull';
import Redis from 'ioredis';
import { PlatformServiceClient, PlatformServiceError } from '../lti/infra/platform-service-client';
import { ConflictError } from '../platform/domain-error';
import { DomainEvents } from '../platform/domain-events';
import { REDIS } from '../platform/redis';
import { TenancyService } from '../tenancy/tenancy.service';
import { CourseMember, courseMembers } from './domain/course-members';
import { nextPageUrl, NrpsFormatError, parseMembershipPage, RosterEntry } from './domain/nrps-page';
import { type ObserverContactRow, ObserverLinkRepository } from './infra/observer-link.repository';
import { RosterRepository } from './infra/roster.repository';
import type { Subscription } from 'rxjs';

export const ROSTER_QUEUE = 'roster-sync';
export const NRPS_SCOPE = 'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly';
const NRPS_MEDIA_TYPE = 'application/vnd.ims.lti-nrps.v2.membershipcontainer+json';
/** A launch asks for a sync at most this often per course. */
export const LAUNCH_SYNC_THROTTLE_SECONDS = 600;
/** A guard against a platform whose "next" links never end. */
const MAX_PAGES = 200;

export interface RosterSyncResult {
  members: number;
  pages: number;
  removed: number;
}

/** Keeps each course's roster in step with the LMS through Names and Role Provisioning Services. */
@Injectable()
export class RosterService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Roster');
  private subscription?: Subscription;

  constructor(
    private readonly repo: RosterRepository,
    private readonly tenancy: TenancyService,
    private readonly client: PlatformServiceClient,
    @Inject(REDIS) private readonly redis: Redis,
    @InjectQueue(ROSTER_QUEUE) private readonly queue: Queue,
    private readonly observers: ObserverLinkRepository,
    private readonly events: DomainEvents,
  ) {}

  onModuleInit(): void {
    // An observer's launch names the students they observe now (kept until their next launch says otherwise).
    this.subscription = this.events.on('observer.launched').subscribe((e) => {
      void this.tenancy
        .courseIdForContext(e.issuer, e.clientId, e.deploymentId, e.contextId)
        .then((courseId) => (courseId ? this.observers.replaceFromLaunch(courseId, e.observerSubject, e.links) : null))
        .catch((err: Error) => this.logger.error(`could not record observer ${e.observerSubject}: ${err.message}`));
    });
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
  }

  /** The LMS observers of the course's students who have an email (from launches and the NRPS roster). */
  observerContacts(courseId: string): Promise<ObserverContactRow[]> {
    return this.observers.contacts(courseId);
  }

  /** Queues a sync. From a launch it is throttled per course; an instructor's request always queues one. */
  async requestSync(courseId: string, reason: 'launch' | 'instructor' | 'schedule'): Promise<boolean> {
    if (reason === 'launch') {
      const first = await this.redis.set(
        `roster:launch-throttle:${courseId}`,
        '1',
        'EX',
        LAUNCH_SYNC_THROTTLE_SECONDS,
        'NX',
      );
      if (!first) return false;
    }
    if (!(await this.tenancy.courseConnection(courseId))?.nrpsUrl) return false;
    // One queued sync per course at a time: the fixed job id makes a second request a no-op while one waits.
    await this.queue.add(
      'sync',
      { courseId },
      // removeOnFail: a kept failed job would hold the id and silently swallow every later request.
      {
        jobId: `sync:${courseId}`,
        attempts: 5,
        backoff: { type: 'exponential', delay: 10_000 },
        removeOnComplete: true,
        removeOnFail: true,
      },
    );
    return true;
  }

  /** Queues a sync of every course whose launches announced a roster service. */
  async requestAll(): Promise<number> {
    const courseIds = await this.tenancy.coursesWithRosterService();
    for (const id of courseIds) await this.requestSync(id, 'schedule');
    return courseIds.length;
  }

  /** Fetches every page of the course's roster and stores it; members the LMS no longer lists are marked deleted. */
  async sync(courseId: string): Promise<RosterSyncResult> {
    const ctx = await this.tenancy.courseConnection(courseId);
    if (!ctx?.nrpsUrl)
      throw new PlatformServiceError('NRPS_NOT_OFFERED', 'This course has no roster service (NRPS) URL', false);
    const nrpsUrl = ctx.nrpsUrl;
    await this.repo.syncStarted(courseId);
    try {
      const members = new Map<string, RosterEntry>();
      const origin = new URL(nrpsUrl).origin;
      let url: string | null = nrpsUrl;
      const seen = new Set<string>();
      let pages = 0;
      while (url) {
        if (seen.has(url) || pages >= MAX_PAGES)
          throw new PlatformServiceError('NRPS_PAGING_LOOP', `Roster paging did not end after ${pages} pages`, false);
        seen.add(url);
        const res = await this.client.request({ issuer: ctx.issuer, clientId: ctx.clientId }, [NRPS_SCOPE], url, {
          accept: NRPS_MEDIA_TYPE,
        });
        pages++;
        for (const m of parseMembershipPage(res.body)) members.set(m.subject, m);
        const next = nextPageUrl(res.headers.get('link'));
        url = next ? new URL(next, url).toString() : null;
        // The next page must come from the roster service itself, not send Lectern elsewhere.
        if (url && new URL(url).origin !== origin)
          throw new PlatformServiceError('NRPS_FOREIGN_PAGE', `Roster paging left ${origin}`, false);
      }
      if (members.size === 0 && (await this.repo.countListed(courseId)) > 0) {
        throw new PlatformServiceError(
          'NRPS_EMPTY',
          'The LMS returned an empty roster; the previous roster is kept',
          true,
        );
      }
      const removed = await this.repo.replace(courseId, [...members.values()]);
      await this.observers.replaceFromRoster(
        courseId,
        [...members.values()].filter((m) => m.status !== 'deleted').flatMap((m) => m.observerLinks ?? []),
      );
      await this.repo.syncSucceeded(courseId, members.size, pages);
      this.logger.log(`course ${courseId}: ${members.size} members over ${pages} pages`);
      return { members: members.size, pages, removed };
    } catch (e) {
      const message =
        e instanceof NrpsFormatError ? `The LMS roster was malformed: ${e.message}` : (e as Error).message;
      await this.repo.syncFailed(courseId, message.slice(0, 1000));
      throw e instanceof NrpsFormatError ? new PlatformServiceError('NRPS_BAD_RESPONSE', message, true) : e;
    }
  }

  /** An instructor asks for a sync now (NRPS_NOT_OFFERED when the LMS offered no roster service). */
  async syncForInstructor(courseId: string): Promise<void> {
    if (!(await this.requestSync(courseId, 'instructor'))) {
      throw new ConflictError('NRPS_NOT_OFFERED', 'Your LMS has not offered a roster service (NRPS) for this course');
    }
  }

  /** The course's members: the LMS roster, and those who launched without being on it (by status, then name). */
  async members(courseId: string): Promise<CourseMember[]> {
    const [listed, launched] = await Promise.all([this.repo.members(courseId), this.tenancy.enrolments(courseId)]);
    return courseMembers(listed, launched);
  }

  /** A member of the course by subject: on the roster (any status), else known from a launch; null when neither. */
  async findStudent(courseId: string, subject: string): Promise<{ name: string; email: string | null } | null> {
    const listed = await this.repo.member(courseId, subject);
    if (listed) return { name: listed.name, email: listed.email };
    const [launched] = await this.tenancy.enrolments(courseId, subject);
    return launched ? { name: launched.name, email: launched.email } : null;
  }
}
