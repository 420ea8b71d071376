/**
 * Breakout rooms on the wire: socket events (through the live room's socket and its gate), their acks,
 * what the server announces, and the REST bodies of plans. See backend/src/breakout/PROTOCOL.md.
 */
import { z } from 'zod';
import type { ChatMessage, Participant } from './realtime';

const uuid = z.uuid();
export const MAX_BREAKOUT_ROOMS = 50;
export const MAX_NOTE_LENGTH = 500;
export const MIN_BREAKOUT_SECONDS = 5;
export const MAX_BREAKOUT_SECONDS = 4 * 60 * 60;

export const BreakoutEvents = {
  /** Instructor: split the class (random, by hand, or from a plan). */
  open: 'breakout:open',
  /** Instructor: move one student to a room, or back to the main room (`roomId: null`). */
  move: 'breakout:move',
  /** Anyone in the class: go to a room (students only to the one they were placed in; instructors anywhere), or back (`null`). */
  enter: 'breakout:enter',
  /** Instructor: a note to every room at once. */
  broadcast: 'breakout:broadcast',
  /** Instructor: set or change the timer (`null`: no timer). */
  timer: 'breakout:timer',
  /** Instructor: close every room and bring everyone back. */
  recall: 'breakout:recall',
  /** A student in a breakout room: ask an instructor to come. */
  help: 'breakout:help',
  /** Anyone in the class: the breakout state now (after joining or reconnecting); a late joiner is placed here. */
  sync: 'breakout:sync',
} as const;

export const BreakoutServerEvents = {
  /** To the whole class (main room and every breakout): the rooms and who is in each, after every change. */
  state: 'breakout:state',
  /** To the whole class: one minute left. */
  warning: 'breakout:warning',
  /** To the whole class: an instructor's note. */
  note: 'breakout:note',
  /** To the class's instructors: someone asked for help. */
  helpRequested: 'breakout:help-requested',
  /** To one room: an instructor arrived or left. */
  visitor: 'breakout:visitor',
} as const;

const roomName = z.string().trim().min(1).max(60);
const duration = z.number().int().min(MIN_BREAKOUT_SECONDS).max(MAX_BREAKOUT_SECONDS).nullable().default(null);
const common = {
  durationSeconds: duration,
  /** Start each room's board with a copy of the main board's current page. */
  copyBoard: z.boolean().default(false),
};

export const openSchema = z.discriminatedUnion('mode', [
  z
    .object({
      mode: z.literal('random'),
      rooms: z.number().int().min(1).max(MAX_BREAKOUT_ROOMS),
      keepApart: z.array(z.array(uuid).min(2).max(50)).max(50).default([]),
      names: z.array(roomName).max(MAX_BREAKOUT_ROOMS).optional(),
      ...common,
    })
    .strict(),
  z
    .object({
      mode: z.literal('hand'),
      rooms: z
        .array(z.object({ name: roomName, userIds: z.array(uuid).max(500) }).strict())
        .min(1)
        .max(MAX_BREAKOUT_ROOMS),
      ...common,
    })
    .strict(),
  z.object({ mode: z.literal('plan'), planId: uuid, ...common }).strict(),
]);
export type BreakoutOpen = z.infer<typeof openSchema>;

export const breakoutSchemas = {
  [BreakoutEvents.open]: openSchema,
  [BreakoutEvents.move]: z.object({ userId: uuid, roomId: uuid.nullable() }).strict(),
  [BreakoutEvents.enter]: z.object({ roomId: uuid.nullable() }).strict(),
  [BreakoutEvents.broadcast]: z.object({ text: z.string().trim().min(1).max(MAX_NOTE_LENGTH) }).strict(),
  [BreakoutEvents.timer]: z.object({ durationSeconds: duration }).strict(),
  [BreakoutEvents.recall]: z.object({}).strict(),
  [BreakoutEvents.help]: z.object({}).strict(),
  [BreakoutEvents.sync]: z.object({}).strict(),
} as const;
export type BreakoutEventName = keyof typeof breakoutSchemas;
export type BreakoutPayload<E extends BreakoutEventName> = z.infer<(typeof breakoutSchemas)[E]>;

export interface BreakoutPerson {
  userId: string;
  name: string;
}

export interface BreakoutRoomView {
  id: string;
  name: string;
  /** Students placed in the room. */
  students: BreakoutPerson[];
  /** Instructors in the room now. */
  visitors: BreakoutPerson[];
}

/** The class's breakouts now: `active` false once recalled (rooms empty). */
export interface BreakoutState {
  active: boolean;
  runId: string | null;
  rooms: BreakoutRoomView[];
  /** When the timer closes the rooms (ISO), or null. */
  endsAt: string | null;
  /** Help requests not yet answered by a visit (instructors only; empty for students). */
  help: BreakoutHelpRequest[];
}

export interface BreakoutHelpRequest {
  roomId: string;
  userId: string;
  name: string;
  at: string;
}

/**
 * Where the asking socket is now (its membership's room): null is the main room; the room's chat so far,
 * and the class's people now (presence changes reach only the main room's sockets while one is away).
 */
export interface BreakoutEnterAck {
  roomId: string | null;
  name: string | null;
  chat: ChatMessage[];
  participants: Participant[];
}

export type BreakoutAckData = {
  [BreakoutEvents.open]: BreakoutState;
  [BreakoutEvents.move]: BreakoutState;
  [BreakoutEvents.enter]: BreakoutEnterAck;
  [BreakoutEvents.broadcast]: { rooms: number };
  [BreakoutEvents.timer]: BreakoutState;
  [BreakoutEvents.recall]: BreakoutState;
  [BreakoutEvents.help]: BreakoutHelpRequest;
  [BreakoutEvents.sync]: BreakoutState & { mine: string | null; here: string | null };
};

export type BreakoutServerPayloads = {
  [BreakoutServerEvents.state]: BreakoutState;
  [BreakoutServerEvents.warning]: { endsAt: string };
  [BreakoutServerEvents.note]: { text: string; from: string; at: string };
  [BreakoutServerEvents.helpRequested]: BreakoutHelpRequest;
  [BreakoutServerEvents.visitor]: { roomId: string; userId: string; name: string; arrived: boolean };
};

/** REST: a plan of rooms prepared for a course (instructors of the course). */
export const planBodySchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    rooms: z
      .array(z.object({ name: roomName, userIds: z.array(uuid).max(500) }).strict())
      .min(1)
      .max(MAX_BREAKOUT_ROOMS),
  })
  .strict();
export type BreakoutPlanBody = z.infer<typeof planBodySchema>;

export interface BreakoutPlanView extends BreakoutPlanBody {
  id: string;
  updatedAt: string;
}

/** After class: each breakout room of a class, its chat and whether its board was saved (read it at the saved-board page). */
export interface BreakoutRoomRecord {
  id: string;
  name: string;
  openedAt: string;
  closedAt: string | null;
  hasBoard: boolean;
  chat: Array<{ authorName: string; text: string; at: string }>;
}
