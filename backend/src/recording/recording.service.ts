import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type Redis from 'ioredis';
import { Subject, type Subscription } from 'rxjs';
import { APP_CONFIG, type AppConfig } from '../config/config';
import type { ClassroomRecordingSettings, PlatformRecordingSettings, RecordingState } from '../contracts/recording';
import type { SessionClaims } from '../platform/auth/session-token';
import { classroomOf } from '../platform/auth/session-token';
import { ConflictError, ForbiddenError, NotFoundError } from '../platform/domain-error';
import { DomainEvents } from '../platform/domain-events';
import type { ClassMembership } from '../platform/socket-events';
import { REDIS } from '../platform/redis';
import { canTeach } from '../tenancy/domain/role-mapping';
import { recordingSwitch } from './domain/capture-policy';
import { CaptureRepository } from './infra/capture.repository';

const pauseKey = (sessionId: string) => `recording:pause:${sessionId}`;
/** Every instance hears pauses and switch changes here (the class's media host acts on them). */
/** The deployment's channel for recording switches (QUEUE_PREFIX: not heard by another deployment on the same Redis). */
export const controlChannel = (queuePrefix: string) => `${queuePrefix}:recording:control`;
const PAUSE_TTL_S = 7 * 24 * 3600;

interface PauseEntry {
  paused: boolean;
  at: string;
  by: string | null;
}

/** A change the class's media host must act on (pause or resume its captures; a switch turned off or on). */
export type RecordingControl = { type: 'pause'; sessionId: string; paused: boolean } | { type: 'switches' };

/**
 * Whether a class is recorded, and the instructor's pause: the state every member sees, the marks a
 * pause leaves, and the switches (platform: the operator; classroom: its instructors). The pause lives
 * in Redis (every instance reads it; the media host applies it to its captures), marks in Postgres.
 */
@Injectable()
export class RecordingService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('RecordingService');
  /** A class's state changed (paused, resumed, switched off): the gateway tells its members. */
  readonly changed = new Subject<{ sessionId: string; state: RecordingState }>();
  /** Classes whose start mark this instance has written (a cache: the insert is idempotent anyway). */
  private readonly started = new Set<string>();
  private subs: Subscription[] = [];

  constructor(
    private readonly repo: CaptureRepository,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly events: DomainEvents,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.subs.push(
      this.events.on('session.ended').subscribe(({ sessionId, at }) => {
        this.started.delete(sessionId);
        void this.repo
          .mark(sessionId, 'stop', at, null, null)
          .then(() => this.redis.del(pauseKey(sessionId)))
          .catch((e: Error) => this.logger.warn(`stop mark of ${sessionId} not written: ${e.message}`));
      }),
      // Breakout rooms are chapters of the class's recording: where the class split, and where it came back.
      this.events.on('breakouts.opened').subscribe(({ sessionId, at, rooms }) => {
        void this.repo
          .mark(sessionId, 'breakouts', at, rooms.join(', ').slice(0, 200), null)
          .catch((e: Error) => this.logger.warn(`breakout mark of ${sessionId} not written: ${e.message}`));
      }),
      this.events.on('breakouts.closed').subscribe(({ sessionId, at }) => {
        void this.repo
          .mark(sessionId, 'breakouts-end', at, null, null)
          .catch((e: Error) => this.logger.warn(`breakout mark of ${sessionId} not written: ${e.message}`));
      }),
    );
  }

  onModuleDestroy(): void {
    for (const s of this.subs) s.unsubscribe();
  }

  /** The class's recording state; the first call for a recorded class writes its `start` mark (at the class's start). */
  async state(sessionId: string): Promise<RecordingState> {
    const sw = await this.repo.recordingSwitch(sessionId);
    if (!sw) throw new NotFoundError('SESSION_NOT_FOUND', 'No such class');
    const { enabled, off } = recordingSwitch(sw.platformEnabled, sw.classroomEnabled);
    if (!enabled) return { status: 'off', off, since: sw.startedAt.toISOString(), by: null };
    if (!this.started.has(sessionId) && !sw.endedAt) {
      await this.repo.mark(sessionId, 'start', sw.startedAt, null, null);
      this.started.add(sessionId);
    }
    const pause = await this.pause(sessionId);
    if (pause?.paused) return { status: 'paused', off: null, since: pause.at, by: pause.by };
    return { status: 'recording', off: null, since: pause?.at ?? sw.startedAt.toISOString(), by: null };
  }

  /** Whether the class's capture is paused now (read by its media host when it starts capturing). */
  async isPaused(sessionId: string): Promise<boolean> {
    return (await this.pause(sessionId))?.paused ?? false;
  }

  /** Whether the class records (its switches), null when there is no such class. */
  async enabled(sessionId: string): Promise<boolean | null> {
    const sw = await this.repo.recordingSwitch(sessionId);
    if (!sw) return null;
    return recordingSwitch(sw.platformEnabled, sw.classroomEnabled).enabled && !sw.endedAt;
  }

  /** An instructor pauses or resumes the class's recording: a mark, the media host told, every member told. */
  async setPaused(member: ClassMembership, name: string, paused: boolean): Promise<RecordingState> {
    if (!member.canTeach) throw new ForbiddenError('TEACHER_ONLY', 'Only instructors can pause the recording');
    const current = await this.state(member.sessionId);
    if (current.status === 'off')
      throw new ConflictError('RECORDING_OFF', 'This class is not being recorded, so there is nothing to pause');
    const at = new Date();
    const entry: PauseEntry = { paused, at: at.toISOString(), by: paused ? name : null };
    // SET … GET swaps atomically: of two instructors pressing at once, one changes it and leaves the mark.
    const before = await this.redis.set(pauseKey(member.sessionId), JSON.stringify(entry), 'EX', PAUSE_TTL_S, 'GET');
    const wasPaused = before ? (JSON.parse(before) as PauseEntry).paused : false;
    if (wasPaused === paused) {
      if (before) await this.redis.set(pauseKey(member.sessionId), before, 'EX', PAUSE_TTL_S);
      return current;
    }
    await this.repo.mark(member.sessionId, paused ? 'pause' : 'resume', at, null, member.userId);
    await this.control({ type: 'pause', sessionId: member.sessionId, paused });
    const state: RecordingState = paused
      ? { status: 'paused', off: null, since: entry.at, by: name }
      : { status: 'recording', off: null, since: entry.at, by: null };
    this.changed.next({ sessionId: member.sessionId, state });
    return state;
  }

  /** The instructor's classroom switch. */
  async classroomSettings(session: SessionClaims): Promise<ClassroomRecordingSettings> {
    const row = await this.repo.classroomSwitch(classroomOf(session), session.courseId);
    if (!row) throw new NotFoundError('CLASSROOM_NOT_FOUND', 'No such classroom in your course');
    return {
      classroom: row.classroomEnabled,
      platform: row.platformEnabled,
      enabled: recordingSwitch(row.platformEnabled, row.classroomEnabled).enabled,
    };
  }

  async setClassroomSwitch(session: SessionClaims, enabled: boolean | null): Promise<ClassroomRecordingSettings> {
    if (!canTeach(session.role))
      throw new ForbiddenError('TEACHER_ONLY', "Only instructors can change the classroom's recording");
    if (!(await this.repo.setClassroomSwitch(classroomOf(session), session.courseId, enabled)))
      throw new NotFoundError('CLASSROOM_NOT_FOUND', 'No such classroom in your course');
    await this.switchesChanged(await this.repo.liveSessions({ activityId: classroomOf(session) }));
    return this.classroomSettings(session);
  }

  async platformSettings(platformId: string): Promise<PlatformRecordingSettings> {
    const row = await this.repo.platformSwitch(platformId);
    if (!row) throw new NotFoundError('PLATFORM_NOT_FOUND', 'No such platform');
    return row;
  }

  async setPlatformSwitch(platformId: string, settings: PlatformRecordingSettings): Promise<PlatformRecordingSettings> {
    if (!(await this.repo.setPlatformSwitch(platformId, settings.enabled, settings.retentionDays)))
      throw new NotFoundError('PLATFORM_NOT_FOUND', 'No such platform');
    await this.switchesChanged(await this.repo.liveSessions({ platformId }));
    return this.platformSettings(platformId);
  }

  /**
   * A switch changed: every media host re-reads its classes' switches (a class switched off stops
   * capturing now, one switched on starts), and the classes going on now are told their new state.
   */
  private async switchesChanged(liveSessions: string[]): Promise<void> {
    await this.control({ type: 'switches' });
    for (const sessionId of liveSessions) {
      const state = await this.state(sessionId).catch(() => null);
      if (state) this.changed.next({ sessionId, state });
    }
  }

  private async control(message: RecordingControl): Promise<void> {
    await this.redis.publish(controlChannel(this.config.queuePrefix), JSON.stringify(message));
  }

  private async pause(sessionId: string): Promise<PauseEntry | null> {
    const raw = await this.redis.get(pauseKey(sessionId));
    return raw ? (JSON.parse(raw) as PauseEntry) : null;
  }
}
