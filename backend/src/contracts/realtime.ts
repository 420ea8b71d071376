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
} as const;

export const ServerEvents = {
  state: 'room:state',
  joined: 'presence:joined',
  updated: 'presence:updated',
  left: 'presence:left',
  chatMessage: 'chat:message',
  chatDeleted: 'chat:deleted',
  muted: 'control:muted',
  cameraStopped: 'control:camera-stopped',
  removed: 'control:removed',
  ended: 'room:ended',
} as const;

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
}

export interface ServerPayloads {
  [ServerEvents.state]: RoomState;
  [ServerEvents.joined]: Participant;
  [ServerEvents.updated]: Participant;
  [ServerEvents.left]: { userId: string };
  [ServerEvents.chatMessage]: ChatMessage;
  [ServerEvents.chatDeleted]: { messageId: string };
  [ServerEvents.muted]: { by: string };
  [ServerEvents.cameraStopped]: { by: string };
  [ServerEvents.removed]: { by: string };
  [ServerEvents.ended]: { endedAt: string };
}
