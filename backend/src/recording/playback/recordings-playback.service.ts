import { Inject, Injectable } from '@nestjs/common';
import { Subject } from 'rxjs';
import type { RecordingPlayback, RecordingSummary } from '../../contracts/recording-playback';
import type { SessionClaims } from '../../platform/auth/session-token';
import { ConflictError, ForbiddenError, NotFoundError } from '../../platform/domain-error';
import { canTeach } from '../../tenancy/domain/role-mapping';
import { RecordingRow, RecordingsRepository } from '../infra/recordings.repository';
import { RecordingJobService } from '../recording-job.service';
import { viewerKey } from '../domain/signed-url';
import { PLAYBACK_LINKS, PlaybackLinks } from './playback-links';

const notFound = () => new NotFoundError('RECORDING_NOT_FOUND', 'No such recording in your course');

/**
 * The Recordings page: a course's recordings for its members (hidden ones and unfinished ones for
 * instructors only), the player's signed links and resume position, and the instructor's hide and retry.
 * Every call is checked against the caller's course (the session's tenant) and role.
 */
@Injectable()
export class RecordingsPlaybackService {
  /** Courses whose members' lists changed here (a recording hidden or shown again): pushed by the gateway. */
  readonly listChanges = new Subject<string>();

  constructor(
    private readonly recordings: RecordingsRepository,
    private readonly jobs: RecordingJobService,
    @Inject(PLAYBACK_LINKS) private readonly links: PlaybackLinks,
  ) {}

  async list(session: SessionClaims): Promise<RecordingSummary[]> {
    const teacher = canTeach(session.role);
    const rows = await this.recordings.listForCourse(session.courseId, session.userId, teacher);
    return rows.map((r) => this.summary(r, teacher));
  }

  async playback(session: SessionClaims, id: string): Promise<RecordingPlayback> {
    const row = await this.viewable(session, id);
    if (row.status !== 'ready' || !row.storagePrefix)
      throw new ConflictError('RECORDING_NOT_READY', 'This recording is still being prepared');
    const p = row.storagePrefix;
    const expiresAt = this.links.expiresAt();
    const viewer = viewerKey(session);
    return {
      id: row.id,
      title: row.title,
      startedAt: row.startedAt.toISOString(),
      durationMs: row.durationMs ?? 0,
      chapters: row.chapters,
      hlsUrl: await this.links.url(`${p}/hls/master.m3u8`, viewer),
      mp4Url: await this.links.url(`${p}/recording.mp4`, viewer),
      chaptersUrl: await this.links.url(`${p}/chapters.vtt`, viewer),
      boardUrl: await this.links.url(`${p}/board.json`, viewer),
      positionMs: await this.recordings.position(row.id, session.userId),
      expiresAt: new Date(expiresAt * 1000).toISOString(),
    };
  }

  async savePosition(session: SessionClaims, id: string, positionMs: number): Promise<{ positionMs: number }> {
    const row = await this.viewable(session, id);
    const clamped = Math.min(positionMs, row.durationMs ?? positionMs);
    await this.recordings.savePosition(row.id, session.userId, clamped);
    return { positionMs: clamped };
  }

  async setHidden(session: SessionClaims, id: string, hidden: boolean): Promise<RecordingSummary> {
    this.teacherOnly(session);
    if (!(await this.recordings.setHidden(id, session.courseId, hidden))) throw notFound();
    this.listChanges.next(session.courseId);
    return this.summary((await this.viewable(session, id))!, true);
  }

  async retry(session: SessionClaims, id: string): Promise<RecordingSummary> {
    this.teacherOnly(session);
    const row = await this.viewable(session, id);
    if (row.status !== 'failed') throw new ConflictError('RECORDING_NOT_FAILED', 'Only a failed recording is retried');
    await this.jobs.retry(row);
    return this.summary((await this.recordings.byId(row.id))!, true);
  }

  private teacherOnly(session: SessionClaims): void {
    if (!canTeach(session.role)) throw new ForbiddenError('TEACHER_ONLY', 'Only instructors manage recordings');
  }

  private async viewable(session: SessionClaims, id: string): Promise<RecordingRow> {
    const row = await this.recordings.findForViewer(id, session.courseId, session.userId, canTeach(session.role));
    if (!row || (!canTeach(session.role) && row.status !== 'ready')) throw notFound();
    return row;
  }

  private summary(r: RecordingRow, teacher: boolean): RecordingSummary {
    return {
      id: r.id,
      title: r.title,
      startedAt: r.startedAt.toISOString(),
      endedAt: r.endedAt?.toISOString() ?? null,
      status: r.status,
      durationMs: r.durationMs,
      hidden: r.hidden,
      chapters: r.chapters,
      ...(teacher ? { progress: { stage: r.stage, percent: r.percent, attempts: r.attempts, error: r.error } } : {}),
    };
  }
}
