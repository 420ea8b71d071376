import { Injectable } from '@nestjs/common';
import type { ClassSummary } from '../contracts/class-control';
import type { MediaPolicy } from '../contracts/media';
import type { ClassControlState, ClassLocks, Participant, WaitingPerson } from '../contracts/realtime';
import type { SessionClaims } from '../platform/auth/session-token';
import { classroomOf } from '../platform/auth/session-token';
import { ConflictError, ForbiddenError, NotFoundError } from '../platform/domain-error';
import type { ClassMembership } from '../platform/socket-events';
import { MediaCluster } from '../media/media-cluster.service';
import { MediaService } from '../media/media.service';
import { cameraRefusal } from '../media/domain/policy';
import { canTeach } from '../tenancy/domain/role-mapping';
import { WhiteboardService } from '../whiteboard/whiteboard.service';
import { ClassroomService } from './classroom.service';
import { ClassControlRepository } from './infra/class-control.repository';
import { ClassControlStore } from './infra/class-control.store';
import { PresenceService } from './presence.service';

/** The student-facing side of each lock (instructors are never locked). */
const LOCKED_MESSAGES = {
  chat: 'The instructor has locked the chat',
  mic: 'The instructor has locked microphones: ask to unmute',
  camera: 'The instructor has locked cameras',
} as const;

/**
 * Class control: the waiting room, the locks and asking to unmute. The locks are held where each thing
 * happens: microphones, cameras and screens in the class's media policy (the SFU refuses and pauses,
 * media/), the whiteboard in who may draw (whiteboard/, checked by its append script), the chat here.
 * Every piece of state is in Redis or Postgres, so every instance sees the same class.
 */
@Injectable()
export class ClassControlService {
  constructor(
    private readonly store: ClassControlStore,
    private readonly repo: ClassControlRepository,
    private readonly classroom: ClassroomService,
    private readonly presence: PresenceService,
    private readonly media: MediaService,
    private readonly mediaCluster: MediaCluster,
    private readonly whiteboard: WhiteboardService,
  ) {}

  async state(sessionId: string, activityId: string): Promise<ClassControlState> {
    const [policy, chat, board, waitingRoom, asks] = await Promise.all([
      this.media.policy(sessionId),
      this.store.chatLocked(sessionId),
      this.whiteboard.permissions(sessionId),
      this.repo.waitingRoom(activityId),
      this.store.unmuteAsks(sessionId),
    ]);
    return {
      locks: locksOf(policy, chat, board.mode === 'nobody'),
      waitingRoom,
      unmuteRequests: policy.micLocked ? asks : [],
      unmuteAllowed: policy.micLocked ? policy.unmuteAllowed : [],
    };
  }

  waiting(sessionId: string): Promise<WaitingPerson[]> {
    return this.store.waiting(sessionId);
  }

  /** Switches the classroom's waiting room (it holds for this class and the next ones). */
  async setWaitingRoom(session: SessionClaims, member: ClassMembership, enabled: boolean): Promise<ClassControlState> {
    assertTeacher(session);
    await this.repo.setWaitingRoom(classroomOf(session), enabled);
    return this.state(member.sessionId, member.activityId);
  }

  /** Lets in those named who wait; returns who was let in. */
  async admit(session: SessionClaims, sessionId: string, userIds: string[]): Promise<string[]> {
    assertTeacher(session);
    return this.store.admit(sessionId, [...new Set(userIds)]);
  }

  async deny(session: SessionClaims, sessionId: string, userId: string, message: string | undefined): Promise<string> {
    assertTeacher(session);
    const text = message?.trim() || 'The instructor did not let you into this class.';
    await this.store.deny(sessionId, userId, text);
    return text;
  }

  /** Sets the locks given (the others stay); a lock holds in the SFU and the server, not only in the page. */
  async setLocks(
    session: SessionClaims,
    member: ClassMembership,
    change: Partial<ClassLocks>,
    caller: { socketId: string; name: string },
  ): Promise<ClassControlState> {
    assertTeacher(session);
    const sid = member.sessionId;
    if (change.mic !== undefined || change.camera !== undefined || change.screen !== undefined) {
      await this.mediaCluster.call({
        op: 'setPolicy',
        caller: { sessionId: sid, socketId: caller.socketId, userId: member.userId, name: caller.name, canTeach: true },
        policy: {
          ...(change.mic !== undefined ? { micLocked: change.mic } : {}),
          ...(change.camera !== undefined ? { cameraLocked: change.camera } : {}),
          ...(change.screen !== undefined ? { studentScreenShare: !change.screen } : {}),
        },
      });
      // Requests to unmute belong to one lock: a new lock or its end starts from none.
      if (change.mic !== undefined) await this.store.clearAsks(sid);
    }
    if (change.chat !== undefined) await this.store.setChatLocked(sid, change.chat);
    if (change.whiteboard !== undefined)
      await this.whiteboard.setPermissions(session, sid, {
        mode: change.whiteboard ? 'nobody' : 'everyone',
        userIds: [],
      });
    // Muting everyone whose microphone shows on: the lock paused it in the SFU, the room shows it off.
    if (change.mic) await this.muteStudentsShown(sid);
    if (change.camera) await this.cameraOffShown(sid);
    return this.state(sid, member.activityId);
  }

  /** A student asks to unmute (or takes it back); only while microphones are locked. */
  async askUnmute(member: ClassMembership, asking: boolean): Promise<ClassControlState> {
    const sid = member.sessionId;
    const policy = await this.media.policy(sid);
    if (asking && !policy.micLocked) throw new ConflictError('MIC_NOT_LOCKED', 'Microphones are not locked: unmute');
    await this.store.setAsking(sid, member.userId, asking);
    return this.state(sid, member.activityId);
  }

  /** The instructor lets these students unmute (one, several, everyone who asked); they unmute themselves. */
  async allowUnmute(session: SessionClaims, member: ClassMembership, userIds: string[]): Promise<ClassControlState> {
    assertTeacher(session);
    const sid = member.sessionId;
    const policy = await this.media.policy(sid);
    if (!policy.micLocked) throw new ConflictError('MIC_NOT_LOCKED', 'Microphones are not locked');
    await this.media.allowUnmute(sid, [...new Set(userIds)]);
    await this.store.clearAsks(sid, userIds);
    return this.state(sid, member.activityId);
  }

  /** The chat lock, for chat:send. */
  async assertMaySendChat(member: ClassMembership): Promise<void> {
    if (!member.canTeach && (await this.store.chatLocked(member.sessionId)))
      throw new ForbiddenError('CHAT_LOCKED', LOCKED_MESSAGES.chat);
  }

  /** What a student's `media:state` may claim: a microphone or camera on is refused while locked. */
  async assertMayShow(member: ClassMembership, flags: { mic: boolean; camera: boolean }): Promise<void> {
    if (member.canTeach || (!flags.mic && !flags.camera)) return;
    const policy = await this.media.policy(member.sessionId);
    if (flags.mic && policy.micLocked && !policy.unmuteAllowed.includes(member.userId))
      throw new ForbiddenError('MIC_LOCKED', LOCKED_MESSAGES.mic);
    const camera = flags.camera ? cameraRefusal(member, policy) : null;
    if (camera === 'CAMERA_LOCKED') throw new ForbiddenError(camera, LOCKED_MESSAGES.camera);
    if (camera === 'CAMERA_STOPPED') throw new ForbiddenError(camera, 'The instructor turned your camera off');
  }

  /** *Cam off* for one student holds until an instructor lets them turn it on again. */
  async allowCamera(session: SessionClaims, sessionId: string, userId: string): Promise<void> {
    assertTeacher(session);
    await this.media.setCameraStopped(sessionId, userId, false);
  }

  /** An instructor lowers someone's raised hand. */
  async lowerHand(session: SessionClaims, sessionId: string, userId: string): Promise<Participant> {
    assertTeacher(session);
    if (!(await this.presence.participant(sessionId, userId)))
      throw new NotFoundError('PARTICIPANT_NOT_FOUND', 'That person is not in the class');
    await this.presence.setFlags(sessionId, userId, { handRaised: false });
    return (await this.presence.participant(sessionId, userId))!;
  }

  /** The end screen's summary: how long the class lasted, who came (guests marked), where the board is. */
  async summary(session: SessionClaims, sessionId: string): Promise<ClassSummary> {
    const live = await this.classroom.find(session, sessionId);
    const came = await this.store.came(sessionId);
    const end = live.endedAt ?? new Date();
    return {
      sessionId,
      startedAt: live.startedAt.toISOString(),
      endedAt: live.endedAt ? live.endedAt.toISOString() : null,
      durationMs: Math.max(0, end.getTime() - live.startedAt.getTime()),
      people: came
        .map(({ name, role }) => ({ name, role }))
        .sort((a, b) => Number(canTeach(b.role)) - Number(canTeach(a.role)) || a.name.localeCompare(b.name)),
      boardPath: `/board/${sessionId}`,
    };
  }

  private async muteStudentsShown(sessionId: string): Promise<void> {
    for (const p of await this.presence.participants(sessionId))
      if (!canTeach(p.role) && p.mic) await this.presence.setFlags(sessionId, p.userId, { mic: false });
  }

  private async cameraOffShown(sessionId: string): Promise<void> {
    for (const p of await this.presence.participants(sessionId))
      if (!canTeach(p.role) && p.camera) await this.presence.setFlags(sessionId, p.userId, { camera: false });
  }
}

export function locksOf(policy: MediaPolicy, chat: boolean, whiteboard: boolean): ClassLocks {
  return {
    mic: policy.micLocked,
    camera: policy.cameraLocked,
    screen: !policy.studentScreenShare,
    chat,
    whiteboard,
  };
}

function assertTeacher(session: SessionClaims): void {
  if (!canTeach(session.role)) throw new ForbiddenError('TEACHER_ONLY', 'Only instructors can do this');
}
