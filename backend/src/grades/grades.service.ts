import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bull';
import type { EntityManager } from 'typeorm';
import { PlatformServiceClient, PlatformServiceError } from '../lti/infra/platform-service-client';
import type { AppConfig } from '../config/config';
import { ConflictError, NotFoundError } from '../platform/domain-error';
import { APP_CONFIG } from '../config/config';
import { TenancyService } from '../tenancy/tenancy.service';
import { AGS_MEDIA, AGS_SCOPES, agsScore, attemptsFor, findLineItem, lineItemBody, scoresUrl } from './domain/ags';
import { GradeOutboxRepository, type NewGrade, type OutboxEntry } from './infra/grade-outbox.repository';

/** Retries go on for a day: an LMS down for hours still gets every grade when it is back. */
const RETRY_WINDOW_MS = 24 * 3_600_000;

export const GRADES_QUEUE = 'grade-post';
import { ATTENDANCE_LINE_ITEM_TAG } from '../lti/domain/deep-linking';

export const ATTENDANCE_TAG = ATTENDANCE_LINE_ITEM_TAG;

export type { NewGrade } from './infra/grade-outbox.repository';

/** An outbox row with what the LMS needs to receive it: the platform, the person's subject, the classroom's link. */
interface GradeDelivery {
  entry: OutboxEntry;
  platform: { issuer: string; clientId: string };
  subject: string;
  lineItemsUrl: string | null;
  resourceLinkId: string | null;
  activityLineItemUrl: string | null;
}

/**
 * The grade outbox. A grade is a row written in the same transaction as the result it grades; a Bull
 * job posts it to the LMS through AGS, retried with backoff until it arrives. Posting is idempotent (a
 * sent row is not sent again; the LMS keeps the latest score by its timestamp). A grade that cannot be
 * posted is marked failed with the reason, for the instructor to see and retry.
 */
@Injectable()
export class GradesService {
  private readonly logger = new Logger('Grades');
  private readonly attempts: number;

  constructor(
    private readonly outbox: GradeOutboxRepository,
    private readonly tenancy: TenancyService,
    private readonly client: PlatformServiceClient,
    @InjectQueue(GRADES_QUEUE) private readonly queue: Queue,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.attempts = attemptsFor(RETRY_WINDOW_MS, config.gradeRetryBaseMs);
  }

  /** Writes the grade into the outbox inside the caller's transaction; call `enqueue` after it commits. */
  record(tx: EntityManager, g: NewGrade): Promise<string> {
    return this.outbox.record(tx, g);
  }

  /** Runs work in one transaction (record a grade in it, with what it grades). */
  transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.outbox.transaction(work);
  }

  /** Queues the post of an outbox row; the job id is the row id, so queuing twice is harmless. */
  async enqueue(outboxId: string): Promise<void> {
    await this.queue.add(
      'post',
      { outboxId },
      { jobId: outboxId, attempts: this.attempts, backoff: { type: 'capped' }, removeOnComplete: true },
    );
  }

  /** Posts one outbox row. Throws a retryable error to let Bull try again; returns its final status otherwise. */
  async post(outboxId: string): Promise<'sent' | 'failed' | 'skipped'> {
    const entry = await this.outbox.find(outboxId);
    if (!entry || entry.status !== 'pending') return 'skipped';
    const delivery = await this.delivery(entry);
    if (!delivery) return 'skipped';
    await this.outbox.countAttempt(outboxId);
    try {
      const lineItemUrl = await this.ensureLineItem(delivery);
      await this.client.request(delivery.platform, [AGS_SCOPES.score], scoresUrl(lineItemUrl), {
        method: 'POST',
        contentType: AGS_MEDIA.score,
        body: agsScore({
          userSubject: delivery.subject,
          scoreGiven: entry.scoreGiven,
          scoreMaximum: entry.scoreMaximum,
          activityProgress: entry.activityProgress,
          gradingProgress: entry.gradingProgress,
          comment: entry.comment,
          gradedAt: entry.gradedAt,
        }),
      });
      await this.outbox.markSent(outboxId);
      return 'sent';
    } catch (e) {
      const err =
        e instanceof PlatformServiceError
          ? e
          : new PlatformServiceError('GRADE_POST_FAILED', (e as Error).message, true);
      await this.outbox.recordError(outboxId, `${err.code}: ${err.message}`.slice(0, 1000));
      if (err.retryable) throw err;
      // A line item the LMS no longer knows: find or make it again on the next try.
      if (err.status === 404) await this.outbox.forgetLineItemUrl(entry.lineItem.id);
      await this.markFailed(outboxId);
      return 'failed';
    }
  }

  /** Where the grade goes, from tenancy; null when its course, person or classroom is gone. */
  private async delivery(entry: OutboxEntry): Promise<GradeDelivery | null> {
    const [connection, [user], activity] = await Promise.all([
      this.tenancy.courseConnection(entry.courseId),
      this.tenancy.users([entry.userId]),
      this.tenancy.gradedActivity(entry.lineItem.activityId, entry.courseId),
    ]);
    if (!connection || !user || !activity) return null;
    return {
      entry,
      platform: { issuer: connection.issuer, clientId: connection.clientId },
      subject: user.subject,
      lineItemsUrl: connection.agsLineItemsUrl,
      resourceLinkId: activity.resourceLinkId,
      activityLineItemUrl: activity.lmsLineItemUrl,
    };
  }

  /** The last attempt failed: the grade is kept, marked failed, visible with its reason. */
  async markFailed(outboxId: string): Promise<void> {
    await this.outbox.markFailed(outboxId);
  }

  /** Finds or creates the LMS line item for this grade (by resource link and tag), never a second one. */
  private async ensureLineItem(d: GradeDelivery): Promise<string> {
    const li = d.entry.lineItem;
    if (li.lmsUrl) return li.lmsUrl;
    return this.outbox.withLineItemLock(
      li.id,
      async () => (await this.outbox.lineItemUrl(li.id)) ?? this.findOrCreateLineItem(d),
    );
  }

  /** Only under the line item's lock (ensureLineItem): looks the line item up in the LMS, creates it if missing. */
  private async findOrCreateLineItem(d: GradeDelivery): Promise<string> {
    const li = d.entry.lineItem;
    // The line item the LMS made for this link when the instructor deep-linked a graded classroom.
    if (li.tag === ATTENDANCE_TAG && d.activityLineItemUrl)
      return this.outbox.saveLineItemUrl(li.id, d.activityLineItemUrl);
    if (!d.lineItemsUrl)
      throw new PlatformServiceError(
        'AGS_NOT_OFFERED',
        'The LMS has not offered a gradebook service (AGS) for this course',
        false,
      );
    const spec = { label: li.label, scoreMaximum: li.scoreMaximum, resourceLinkId: d.resourceLinkId!, tag: li.tag };
    const list = new URL(d.lineItemsUrl);
    list.searchParams.set('resource_link_id', spec.resourceLinkId);
    list.searchParams.set('tag', spec.tag);
    const found = await this.client.request(d.platform, [AGS_SCOPES.lineItem], list.toString(), {
      accept: AGS_MEDIA.lineItemContainer,
    });
    const existing = findLineItem(found.body, spec);
    if (existing) return this.outbox.saveLineItemUrl(li.id, existing);
    const created = await this.client.request<{ id?: unknown }>(d.platform, [AGS_SCOPES.lineItem], d.lineItemsUrl, {
      method: 'POST',
      contentType: AGS_MEDIA.lineItem,
      accept: AGS_MEDIA.lineItem,
      body: lineItemBody(spec),
    });
    if (typeof created.body?.id !== 'string')
      throw new PlatformServiceError('AGS_BAD_RESPONSE', 'The LMS created a line item without an id', true);
    return this.outbox.saveLineItemUrl(li.id, created.body.id);
  }

  /** An instructor retries a failed grade: it goes back to pending and is queued again. */
  async retry(courseId: string, outboxId: string): Promise<void> {
    if (!(await this.outbox.reopenFailed(outboxId, courseId))) {
      const status = await this.outbox.status(outboxId, courseId);
      if (!status) throw new NotFoundError('GRADE_NOT_FOUND', 'No such grade in your course');
      throw new ConflictError('GRADE_NOT_FAILED', `This grade is ${status}, not failed`);
    }
    const old = await this.queue.getJob(outboxId);
    if (old) await old.remove();
    await this.enqueue(outboxId);
  }

  /** Queues pending rows that have no job (e.g. the process died between commit and enqueue, or Redis lost its data). */
  async sweep(olderThanSeconds = 30): Promise<number> {
    let queued = 0;
    for (const id of await this.outbox.pendingIds(olderThanSeconds, 1000)) {
      const job = await this.queue.getJob(id);
      if (job) {
        const state = await job.getState();
        if (state !== 'failed' && state !== 'completed') continue;
        // A job that ended without the row following it (stalled out, or the failure hook failed).
        if (state === 'failed' && job.attemptsMade >= (job.opts.attempts ?? 1)) {
          await this.markFailed(id);
          await job.remove();
          continue;
        }
        await job.remove();
      }
      await this.enqueue(id);
      queued++;
    }
    if (queued) this.logger.warn(`re-queued ${queued} pending grades that had no job`);
    return queued;
  }
}
