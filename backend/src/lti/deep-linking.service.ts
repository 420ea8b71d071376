import { Inject, Injectable } from '@nestjs/common';
import crypto from 'node:crypto';
import Redis from 'ioredis';
import { z } from 'zod';
import type { AppConfig } from '../config/config';
import type { DeepLinkingResponse, DeepLinkingView } from '../contracts/api';
import type { SessionClaims } from '../platform/auth/session-token';
import { ConflictError, ForbiddenError, NotFoundError } from '../platform/domain-error';
import { APP_CONFIG } from '../config/config';
import { REDIS } from '../platform/redis';
import type { DeepLinkingRequest } from '../tenancy/domain/launch-identity';
import { TenancyService } from '../tenancy/tenancy.service';
import { ClassroomChoice, classroomContentItem, deepLinkingResponseClaims } from './domain/deep-linking';
import { ToolSigner } from './infra/tool-signer';

const TTL_SECONDS = 3600;
const key = (id: string) => `lti:deep-linking:${id}`;

interface PendingDeepLink extends DeepLinkingRequest {
  issuer: string;
  clientId: string;
  deploymentId: string;
  courseId: string;
  userId: string;
}

export const choiceSchema = z.union([
  z.object({ existingClassroomId: z.uuid() }).strict(),
  z
    .object({
      title: z.string().trim().min(1).max(200),
      description: z.string().trim().max(2000).optional(),
      scheduledFor: z.iso.datetime({ offset: true }).optional(),
      attendancePoints: z.number().positive().max(10000).optional(),
      quizPoints: z.number().positive().max(10000).optional(),
      /** The instructor's interface language: the link's text (shown to everyone in the LMS) is written in it. */
      locale: z
        .string()
        .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/)
        .max(35)
        .optional(),
    })
    .strict(),
]);

/**
 * Deep Linking 2.0: an instructor adding Lectern to a course or an assignment creates a classroom (or
 * picks one of the course's) and Lectern answers the LMS with a signed LtiDeepLinkingResponse.
 * The pending request is kept in Redis and answered once.
 */
@Injectable()
export class DeepLinkingService {
  constructor(
    private readonly tenancy: TenancyService,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly signer: ToolSigner,
  ) {}

  async begin(request: DeepLinkingRequest, ctx: Omit<PendingDeepLink, keyof DeepLinkingRequest>): Promise<string> {
    const id = crypto.randomBytes(18).toString('base64url');
    await this.redis.set(key(id), JSON.stringify({ ...request, ...ctx } satisfies PendingDeepLink), 'EX', TTL_SECONDS);
    return id;
  }

  private async pending(session: SessionClaims): Promise<PendingDeepLink> {
    if (!session.deepLinkingId)
      throw new ForbiddenError('NOT_DEEP_LINKING', 'This session was not opened to place Lectern in the course');
    const raw = await this.redis.get(key(session.deepLinkingId));
    if (!raw)
      throw new ConflictError(
        'DEEP_LINK_DONE_OR_EXPIRED',
        'This placement was already answered or has expired: start again from the LMS',
      );
    const p = JSON.parse(raw) as PendingDeepLink;
    if (p.courseId !== session.courseId || p.userId !== session.userId) throw new ForbiddenError();
    return p;
  }

  async view(session: SessionClaims): Promise<DeepLinkingView> {
    const p = await this.pending(session);
    const title = await this.tenancy.courseTitle(p.courseId);
    const classrooms = await this.tenancy.listActivities(p.courseId, 200);
    return {
      course: { title },
      acceptMultiple: p.acceptMultiple,
      classrooms: classrooms.map((c) => ({
        id: c.id,
        title: c.title,
        attendancePoints: c.attendancePoints,
        scheduledFor: c.scheduledFor ? c.scheduledFor.toISOString() : null,
      })),
    };
  }

  /** Creates or picks the classroom and signs the response. The pending request is used up only when this succeeds. */
  async respond(session: SessionClaims, choice: z.infer<typeof choiceSchema>): Promise<DeepLinkingResponse> {
    const p = await this.pending(session);
    // Claim the request before making anything: a double submit makes one classroom, not two.
    if (!(await this.redis.del(key(session.deepLinkingId!)))) {
      throw new ConflictError('DEEP_LINK_DONE_OR_EXPIRED', 'This placement was already answered');
    }
    const isNew = !('existingClassroomId' in choice);
    const classroom = await this.chosenClassroom(p.courseId, choice);
    const claims = deepLinkingResponseClaims({
      clientId: p.clientId,
      platformIssuer: p.issuer,
      deploymentId: p.deploymentId,
      data: p.data,
      // A classroom already placed and graded has its gradebook column: ask for no second one.
      items: [
        classroomContentItem(this.config.publicUrl, isNew ? classroom : { ...classroom, attendancePoints: null }, {
          locale: ('locale' in choice && choice.locale) || 'en',
          timeZone: (await this.tenancy.courseTimeZone(p.courseId)) ?? 'UTC',
        }),
      ],
      nonce: crypto.randomBytes(16).toString('hex'),
    });
    return { returnUrl: p.returnUrl, jwt: await this.signer.sign(p.issuer, p.clientId, claims) };
  }

  /** The course's classroom chosen, or a new one made from the instructor's answer. */
  private async chosenClassroom(courseId: string, choice: z.infer<typeof choiceSchema>): Promise<ClassroomChoice> {
    if ('existingClassroomId' in choice) {
      const found = await this.tenancy.findActivity(choice.existingClassroomId, courseId);
      if (!found) throw new NotFoundError('CLASSROOM_NOT_FOUND', 'No such classroom in this course');
      return found;
    }
    const made = {
      courseId,
      title: choice.title,
      description: choice.description ?? null,
      attendancePoints: choice.attendancePoints ?? null,
      quizPoints: choice.quizPoints ?? null,
      scheduledFor: choice.scheduledFor ?? null,
    };
    const id = await this.tenancy.createActivity(made);
    return {
      id,
      title: made.title,
      description: made.description,
      attendancePoints: made.attendancePoints,
      scheduledFor: made.scheduledFor ? new Date(made.scheduledFor) : null,
    };
  }
}
