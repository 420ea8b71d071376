/**
 * The live room's wire contract: every socket event, its payload and its ack, in one place. The
 * gateway validates every inbound payload against these schemas; the Angular socket service uses the
 * same types. Event names appear nowhere else.
 */
import { z } from 'zod';
import type { CourseRole } from './api';

export const MAX_CHAT_LENGTH = 1000;
/** Socket.io refuses larger frames outright (see the gateway's maxHttpBufferSize). */
export const MAX_PAYLOAD_BYTES = 16 * 1024;

const uuid = z.uuid();

export const ClientEvents = {
  join: 'room:join',
  leave: 'room:leave',
  chatSend: 'chat:send',
  chatDelete: 'chat:delete',
  hand: 'hand:set',
  media: 'media:state',
  teacherMute: 'teacher:mute',
  teacherMuteAll: 'teacher:mute-all',
  teacherStopCamera: 'teacher:stop-camera',
  teacherRemove: 'teacher:remove',
  teacherEndClass: 'teacher:end-class',
  /** Class control (see the README's "Class control"): the waiting room, locks, asking to unmute, hands. */
  teacherAdmit: 'waiting:admit',
  teacherDeny: 'waiting:deny',
  teacherWaitingRoom: 'teacher:waiting-room',
  teacherLocks: 'teacher:locks',
  teacherAllowUnmute: 'unmute:allow',
  teacherLowerHand: 'hand:lower',
  teacherAllowCamera: 'teacher:allow-camera',
  askUnmute: 'unmute:ask',
} as const;

export const ServerEvents = {
  state: 'room:state',
  joined: 'presence:joined',
  updated: 'presence:updated',
  left: 'presence:left',
  /** In a big room: the presence changes of the last window at once (each person once, their latest state). */
  presenceBatch: 'presence:batch',
  chatMessage: 'chat:message',
  chatDeleted: 'chat:deleted',
  muted: 'control:muted',
  cameraStopped: 'control:camera-stopped',
  removed: 'control:removed',
  ended: 'room:ended',
  /** To the class's teachers: who waits to be let in (the whole list, after every change). */
  waitingList: 'waiting:list',
  /** To a waiting person's sockets: let in (join again) or turned away. */
  admitted: 'waiting:admitted',
  denied: 'waiting:denied',
  /** To the class: its locks, the waiting room switch, who asked to unmute and who may. */
  control: 'control:state',
  /** To one person: an instructor let them unmute (they still unmute themselves). */
  unmuteAllowed: 'control:unmute-allowed',
  /** To one person: an instructor lets them turn their camera on again after *Cam off*. */
  cameraAllowed: 'control:camera-allowed',
} as const;

/** What a class can lock for its students (instructors are never locked). */
export const lockKinds = ['mic', 'camera', 'screen', 'chat', 'whiteboard'] as const;
export type LockKind = (typeof lockKinds)[number];
export type ClassLocks = Record<LockKind, boolean>;
export const MAX_DENY_MESSAGE = 200;
const userIdList = z.array(uuid).min(1).max(500);

export const schemas = {
  [ClientEvents.join]: z.object({ sessionId: uuid }).strict(),
  [ClientEvents.leave]: z.object({}).strict(),
  [ClientEvents.chatSend]: z.object({ clientId: uuid, text: z.string().trim().min(1).max(MAX_CHAT_LENGTH) }).strict(),
  [ClientEvents.chatDelete]: z.object({ messageId: uuid }).strict(),
  [ClientEvents.hand]: z.object({ raised: z.boolean() }).strict(),
  [ClientEvents.media]: z.object({ camera: z.boolean(), mic: z.boolean() }).strict(),
  [ClientEvents.teacherMute]: z.object({ userId: uuid }).strict(),
  [ClientEvents.teacherMuteAll]: z.object({}).strict(),
  [ClientEvents.teacherStopCamera]: z.object({ userId: uuid }).strict(),
  [ClientEvents.teacherRemove]: z.object({ userId: uuid }).strict(),
  [ClientEvents.teacherEndClass]: z.object({}).strict(),
  [ClientEvents.teacherAdmit]: z.object({ userIds: userIdList }).strict(),
  [ClientEvents.teacherDeny]: z
    .object({ userId: uuid, message: z.string().trim().max(MAX_DENY_MESSAGE).optional() })
    .strict(),
  [ClientEvents.teacherWaitingRoom]: z.object({ enabled: z.boolean() }).strict(),
  [ClientEvents.teacherLocks]: z
    .object({
      mic: z.boolean().optional(),
      camera: z.boolean().optional(),
      screen: z.boolean().optional(),
      chat: z.boolean().optional(),
      whiteboard: z.boolean().optional(),
    })
    .strict(),
  [ClientEvents.teacherAllowUnmute]: z.object({ userIds: userIdList }).strict(),
  [ClientEvents.teacherLowerHand]: z.object({ userId: uuid }).strict(),
  [ClientEvents.teacherAllowCamera]: z.object({ userId: uuid }).strict(),
  [ClientEvents.askUnmute]: z.object({ asking: z.boolean() }).strict(),
} as const;

export type ClientEventName = (typeof ClientEvents)[keyof typeof ClientEvents];
export type ClientPayload<E extends ClientEventName> = z.infer<(typeof schemas)[E]>;

export interface Participant {
  userId: string;
  name: string;
  role: CourseRole;
  camera: boolean;
  mic: boolean;
  handRaised: boolean;
  /** When they joined this class (first socket). */
  joinedAt: string;
}

/** Someone waiting to be let into a class (the waiting room). */
export interface WaitingPerson {
  userId: string;
  name: string;
  role: CourseRole;
  since: string;
}

/** A class's control state, as every member sees it (the waiting list goes to teachers only). */
export interface ClassControlState {
  locks: ClassLocks;
  waitingRoom: boolean;
  /** Students who asked to unmute while microphones are locked. */
  unmuteRequests: string[];
  /** Students an instructor let unmute while microphones are locked. */
  unmuteAllowed: string[];
}

export interface ChatMessage {
  id: string;
  clientId: string;
  userId: string;
  authorName: string;
  authorRole: CourseRole;
  text: string;
  sentAt: string;
}

export interface RoomState {
  sessionId: string;
  me: { userId: string; role: CourseRole; canTeach: boolean };
  participants: Participant[];
  chat: ChatMessage[];
  endedAt: string | null;
  control: ClassControlState;
  /** Teachers only (empty for others): who waits to be let in. */
  waiting: WaitingPerson[];
}

export type AckError = { code: string; message: string };
export type Ack<T> = { ok: true; data: T } | { ok: false; error: AckError };

/** What each client event's ack carries when it succeeds. */
export interface AckData {
  [ClientEvents.join]: RoomState;
  [ClientEvents.leave]: null;
  [ClientEvents.chatSend]: ChatMessage;
  [ClientEvents.chatDelete]: null;
  [ClientEvents.hand]: Participant;
  [ClientEvents.media]: Participant;
  [ClientEvents.teacherMute]: null;
  /** How many students were muted. */
  [ClientEvents.teacherMuteAll]: { muted: number };
  [ClientEvents.teacherStopCamera]: null;
  [ClientEvents.teacherRemove]: null;
  [ClientEvents.teacherEndClass]: null;
  /** How many of those named were waiting and are let in now. */
  [ClientEvents.teacherAdmit]: { admitted: number };
  [ClientEvents.teacherDeny]: null;
  [ClientEvents.teacherWaitingRoom]: ClassControlState;
  [ClientEvents.teacherLocks]: ClassControlState;
  [ClientEvents.teacherAllowUnmute]: ClassControlState;
  [ClientEvents.teacherLowerHand]: Participant;
  [ClientEvents.teacherAllowCamera]: null;
  [ClientEvents.askUnmute]: ClassControlState;
}

export interface ServerPayloads {
  [ServerEvents.state]: RoomState;
  [ServerEvents.joined]: Participant;
  [ServerEvents.updated]: Participant;
  [ServerEvents.left]: { userId: string };
  /** Apply as: upsert each of participants, drop each of left (a person is in one list, not both). */
  [ServerEvents.presenceBatch]: { participants: Participant[]; left: string[] };
  [ServerEvents.chatMessage]: ChatMessage;
  [ServerEvents.chatDeleted]: { messageId: string };
  [ServerEvents.muted]: { by: string };
  [ServerEvents.cameraStopped]: { by: string };
  [ServerEvents.removed]: { by: string };
  [ServerEvents.ended]: { endedAt: string };
  [ServerEvents.waitingList]: { waiting: WaitingPerson[] };
  [ServerEvents.admitted]: Record<string, never>;
  [ServerEvents.denied]: { message: string };
  [ServerEvents.control]: ClassControlState;
  [ServerEvents.unmuteAllowed]: { by: string };
  [ServerEvents.cameraAllowed]: { by: string };
}
