import { Injectable } from '@nestjs/common';
import { ChatService } from '../chat/chat.service';
import type { Participant, RoomState } from '../contracts/realtime';
import { classroomOf, type SessionClaims } from '../platform/auth/session-token';
import { ConflictError, ForbiddenError, NotFoundError } from '../platform/domain-error';
import { DomainEvents } from '../platform/domain-events';
import { canTeach } from '../tenancy/domain/role-mapping';
import { ClassroomService } from './classroom.service';
import type { ParticipantFlags } from './domain/presence';
import { LiveSessionRepository } from './infra/live-session.repository';
import { PresenceService } from './presence.service';
import type { ClassMembership, WaitingTicket } from '../platform/socket-events';
import { ClassControlService } from './class-control.service';
import { GuestService } from './guest.service';
import { MediaService } from '../media/media.service';
import { ClassControlStore } from './infra/class-control.store';

/** What a join comes to: the class (a membership), or the waiting room (a ticket, nothing of the class). */
export type JoinOutcome =
  | { kind: 'member'; state: RoomState; arrived: boolean; membership: ClassMembership; knocked: boolean }
  | { kind: 'waiting'; ticket: WaitingTicket };

/** The live room's rules: who may join, what a join returns, what teachers may do. Called by the gateway. */
@Injectable()
export class RoomService {
  constructor(
    private readonly sessions: LiveSessionRepository,
    private readonly classroom: ClassroomService,
    private readonly presence: PresenceService,
    private readonly chat: ChatService,
    private readonly events: DomainEvents,
    private readonly classControl: ClassControlService,
    private readonly controlStore: ClassControlStore,
    private readonly guests: GuestService,
    private readonly media: MediaService,
  ) {}

  /** Joins a socket to a class of the caller's course; returns the room state and whether the person just arrived. */
  /**
   * `enter` puts the socket in the class's socket rooms; it runs after the socket is counted in and before
   * the second look at removal and end, so a removal landing at any moment either is seen by that look or
   * finds the socket in its rooms (and disconnects it).
   */
  async join(
    session: SessionClaims,
    socketId: string,
    sessionId: string,
    enter: () => Promise<void> = async () => undefined,
  ): Promise<JoinOutcome> {
    if (!session.activityId) throw new NotFoundError('NO_CLASSROOM', 'This session has no classroom');
    const guest = session.role === 'guest';
    // A guest's token names the one class they were let into; any other is not theirs.
    if (guest && session.guestOf !== sessionId)
      throw new NotFoundError('SESSION_NOT_FOUND', 'No such class in your classroom');
    // The class, the removal and the waiting room in one read; NOT_FOUND outside the caller's course.
    const found = await this.sessions.findForJoin(sessionId, session.courseId, session.userId);
    if (!found) throw new NotFoundError('SESSION_NOT_FOUND', 'No such class in your course');
    const live = found.row;
    // A class of another classroom of the same course is not this person's class.
    if (live.activityId !== session.activityId)
      throw new NotFoundError('SESSION_NOT_FOUND', 'No such class in your classroom');
    if (live.endedAt) throw new ConflictError('CLASS_ENDED', 'This class has ended');
    if (found.removed) throw new ForbiddenError('REMOVED_FROM_CLASS', 'An instructor removed you from this class');
    const teacher = canTeach(session.role);
    const person = { userId: session.userId, name: session.name, role: session.role };
    let knocked = false; // through the door: the waiting list may have changed
    if (!teacher) {
      // The door: a guest whose link needs admission, or anyone (students, guests) when the waiting room is on.
      const mustWait = (guest && (await this.guests.assertGuestStanding(session)).needsAdmission) || found.waitingRoom;
      if (mustWait) {
        const knock = await this.controlStore.knock(sessionId, person, socketId);
        if (knock.outcome === 'denied') throw new ForbiddenError('WAITING_DENIED', knock.message);
        if (knock.outcome === 'waiting')
          return { kind: 'waiting', ticket: Object.freeze({ sessionId, userId: session.userId }) };
        knocked = true;
      }
    }
    const arrived = await this.presence.add(sessionId, {
      socketId,
      userId: session.userId,
      courseId: session.courseId,
      name: session.name,
      role: session.role,
      joinedAt: new Date().toISOString(),
    });
    // A removal or an end that landed while this join was on its way wins: checked again once the
    // socket is counted in and in its rooms, so whichever ran first, the removed person is not left in the class.
    await enter();
    const still = await this.sessions.standing(sessionId, session.userId);
    if (!still || still.ended || still.removed) {
      await this.presence.remove(sessionId, socketId);
      if (still?.removed) throw new ForbiddenError('REMOVED_FROM_CLASS', 'An instructor removed you from this class');
      throw new ConflictError('CLASS_ENDED', 'This class has ended');
    }
    if (guest) {
      // A link revoked while this join was on its way: the guest is in their rooms now, or sees it here.
      await this.guests.assertGuestStanding(session).catch(async (e: unknown) => {
        await this.presence.remove(sessionId, socketId);
        throw e;
      });
    }
    await this.controlStore.cameIn(sessionId, person);
    // Guests are not students: attendance, grades and engagement never hear of them.
    if (arrived && !guest)
      this.events.emit('participant.joined', {
        sessionId,
        courseId: session.courseId,
        userId: session.userId,
        role: session.role,
        at: new Date(),
      });
    const membership: ClassMembership = Object.freeze({
      sessionId,
      roomId: sessionId,
      platformId: session.platformId,
      courseId: session.courseId,
      activityId: session.activityId,
      userId: session.userId,
      canTeach: teacher,
      guest,
    });
    return { kind: 'member', state: await this.state(session, sessionId), arrived, membership, knocked };
  }

  async state(session: SessionClaims, sessionId: string): Promise<RoomState> {
    const teacher = canTeach(session.role);
    const [participants, chat, control, waiting] = await Promise.all([
      this.presence.participants(sessionId),
      this.chat.history(sessionId),
      this.classControl.state(sessionId, classroomOf(session)),
      teacher ? this.classControl.waiting(sessionId) : [],
    ]);
    return {
      sessionId,
      me: { userId: session.userId, role: session.role, canTeach: teacher },
      participants,
      chat,
      endedAt: null,
      control,
      waiting,
    };
  }

  /** People whose instance died: gone without a goodbye. */
  lost(sessionId: string, courseId: string, userIds: string[]): void {
    for (const userId of userIds)
      this.events.emit('participant.left', { sessionId, courseId, userId, at: new Date(), reason: 'lost' });
  }

  /** A socket left (or dropped); returns the user id when that person has no socket left. */
  async leave(
    session: SessionClaims,
    sessionId: string,
    socketId: string,
    reason: 'left' | 'disconnected',
  ): Promise<string | null> {
    const gone = await this.presence.remove(sessionId, socketId);
    if (gone && session.role !== 'guest')
      this.events.emit('participant.left', {
        sessionId,
        courseId: session.courseId,
        userId: gone,
        at: new Date(),
        reason,
      });
    return gone;
  }

  async setFlags(session: SessionClaims, sessionId: string, patch: Partial<ParticipantFlags>): Promise<Participant> {
    if (!(await this.presence.participant(sessionId, session.userId)))
      throw new NotFoundError('NOT_IN_ROOM', 'Join the class first');
    await this.presence.setFlags(sessionId, session.userId, patch);
    return (await this.presence.participant(sessionId, session.userId))!;
  }

  /** A teacher's action on a participant of this class. */
  async control(
    session: SessionClaims,
    sessionId: string,
    targetUserId: string,
    action: 'mute' | 'stop-camera' | 'remove',
  ): Promise<Participant | null> {
    if (!canTeach(session.role)) throw new ForbiddenError('TEACHER_ONLY', 'Only instructors can do this');
    await this.classroom.find(session, sessionId);
    const target = await this.presence.participant(sessionId, targetUserId);
    if (!target) throw new NotFoundError('PARTICIPANT_NOT_FOUND', 'That person is not in the class');
    if (action === 'remove') {
      if (canTeach(target.role)) throw new ForbiddenError('CANNOT_REMOVE_TEACHER', 'Instructors cannot be removed');
      await this.sessions.remove(sessionId, targetUserId, session.userId);
      if (target.role === 'guest') await this.guests.removed(sessionId, targetUserId);
      this.events.emit('participant.controlled', { sessionId, userId: targetUserId, action, by: session.userId });
      // participant.left follows when their sockets are disconnected.
      return null;
    }
    await this.presence.setFlags(sessionId, targetUserId, action === 'mute' ? { mic: false } : { camera: false });
    // Cam off holds: their camera is refused until an instructor lets them turn it on again.
    if (action === 'stop-camera') await this.media.setCameraStopped(sessionId, targetUserId, true);
    this.events.emit('participant.controlled', { sessionId, userId: targetUserId, action, by: session.userId });
    return this.presence.participant(sessionId, targetUserId);
  }

  /** Mutes every student of the class (instructors keep their microphones); returns those muted. */
  async muteAll(session: SessionClaims, sessionId: string): Promise<Participant[]> {
    if (!canTeach(session.role)) throw new ForbiddenError('TEACHER_ONLY', 'Only instructors can do this');
    await this.classroom.find(session, sessionId);
    const students = (await this.presence.participants(sessionId)).filter((p) => !canTeach(p.role));
    const muted: Participant[] = [];
    for (const p of students) {
      await this.presence.setFlags(sessionId, p.userId, { mic: false });
      this.events.emit('participant.controlled', { sessionId, userId: p.userId, action: 'mute', by: session.userId });
      muted.push({ ...p, mic: false });
    }
    return muted;
  }

  /** Ends the class (TEACHER_ONLY / NOT_FOUND); the gateway hears session.ended and lets everyone go. */
  async endClass(session: SessionClaims, sessionId: string): Promise<void> {
    await this.classroom.endClass(session, sessionId);
  }
}
