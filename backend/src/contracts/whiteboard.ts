/**
 * The whiteboard's operations on the wire: only deltas (new strokes, shapes, text, edits) ever travel,
 * never the whole board. Every op carries a client-generated id, so a retried op is applied once.
 * See backend/src/whiteboard/PROTOCOL.md.
 */
import { z } from 'zod';
import type { Effect, PageData } from '../whiteboard/domain/board';
import { safeId } from './ids';

export const LIMITS = {
  pointsPerOp: 512,
  pointsPerElement: 20_000,
  elementsPerPage: 5_000,
  pages: 100,
  textLength: 2_000,
  coordinate: 100_000,
  opBytes: 32 * 1024,
} as const;

const coord = z.number().finite().min(-LIMITS.coordinate).max(LIMITS.coordinate);
const point = z.tuple([coord, coord]);
const colour = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a #rrggbb colour');
/** Ids of ops, pages and elements (never `__proto__`, `constructor` or `prototype`: see ids.ts). */
const id = safeId.regex(/^[A-Za-z0-9_-]{4,64}$/, 'must be 4-64 letters, digits, _ or -');

export const strokeTools = ['pen', 'highlighter', 'eraser'] as const;
export const shapeTools = ['line', 'arrow', 'rectangle', 'ellipse'] as const;

export const elementSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('stroke'),
      tool: z.enum(strokeTools),
      colour,
      width: z.number().min(0.5).max(64),
      points: z.array(point).max(LIMITS.pointsPerOp),
    })
    .strict(),
  z
    .object({
      kind: z.literal('shape'),
      tool: z.enum(shapeTools),
      colour,
      width: z.number().min(0.5).max(64),
      from: point,
      to: point,
    })
    .strict(),
  z
    .object({
      kind: z.literal('text'),
      colour,
      size: z.number().min(6).max(200),
      at: point,
      text: z.string().min(1).max(LIMITS.textLength),
    })
    .strict(),
]);

/** What an update may change: position offset, colour, text, shape end points. */
export const elementPatchSchema = z
  .object({
    colour: colour.optional(),
    move: point.optional(),
    text: z.string().min(1).max(LIMITS.textLength).optional(),
    from: point.optional(),
    to: point.optional(),
  })
  .strict()
  .refine((p) => Object.keys(p).length > 0, 'an update must change something');

export const opSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('add'), opId: id, page: id, elementId: id, element: elementSchema }).strict(),
  z
    .object({
      type: z.literal('append'),
      opId: id,
      page: id,
      elementId: id,
      points: z.array(point).min(1).max(LIMITS.pointsPerOp),
    })
    .strict(),
  z.object({ type: z.literal('update'), opId: id, page: id, elementId: id, patch: elementPatchSchema }).strict(),
  z.object({ type: z.literal('delete'), opId: id, page: id, elementId: id }).strict(),
  z.object({ type: z.literal('clear-page'), opId: id, page: id }).strict(),
  z.object({ type: z.literal('add-page'), opId: id, page: id, title: z.string().max(100).optional() }).strict(),
  z.object({ type: z.literal('undo'), opId: id }).strict(),
  z.object({ type: z.literal('redo'), opId: id }).strict(),
]);

export type BoardElement = z.infer<typeof elementSchema>;
export type ElementPatch = z.infer<typeof elementPatchSchema>;
export type BoardOp = z.infer<typeof opSchema>;
export type Point = [number, number];

/** Events a client sends (the live room's socket; the person must have joined the class). */
export const WhiteboardClientEvents = {
  op: 'wb:op',
  sync: 'wb:sync',
  follow: 'wb:follow',
  permissions: 'wb:permissions',
} as const;

/** Events the server sends. `board` is the naive design's whole board, sent only when measuring against it. */
export const WhiteboardServerEvents = {
  effects: 'wb:effects',
  teacherView: 'wb:teacher-view',
  permissionsChanged: 'wb:permissions-changed',
  board: 'wb:board',
} as const;

/** Every whiteboard event, both ways. */
export const WhiteboardEvents = { ...WhiteboardClientEvents, ...WhiteboardServerEvents } as const;

/**
 * The whiteboard protocol a client speaks, sent in `wb:sync` (PROTOCOL.md, R14). Raised when the wire
 * changes so that an older page cannot follow; `MIN_WHITEBOARD_PROTOCOL` is the oldest still served.
 * Protocol 1 is the wire as it was when the number was introduced: a client that sends none speaks it.
 */
export const WHITEBOARD_PROTOCOL = 1;
export const MIN_WHITEBOARD_PROTOCOL = 1;
/** Refusal codes of `wb:sync` for a client too old (reload the page) or newer than this server (try again). */
export const WhiteboardProtocolErrors = {
  outdated: 'WB_PROTOCOL_OUTDATED',
  unsupported: 'WB_PROTOCOL_UNSUPPORTED',
} as const;

export const viewSchema = z.object({ page: id, x: coord, y: coord, zoom: z.number().min(0.1).max(10) }).strict();
export const whiteboardSchemas = {
  [WhiteboardEvents.op]: opSchema,
  [WhiteboardEvents.sync]: z
    .object({ since: z.number().int().min(0), protocol: z.number().int().min(0).max(1_000_000).optional() })
    .strict(),
  [WhiteboardEvents.follow]: viewSchema.extend({ locked: z.boolean() }).strict(),
  [WhiteboardEvents.permissions]: z
    .object({ mode: z.enum(['everyone', 'nobody', 'named']), userIds: z.array(z.uuid()).max(500).default([]) })
    .strict(),
} as const;

export type WhiteboardClientEventName = (typeof WhiteboardClientEvents)[keyof typeof WhiteboardClientEvents];
export type WhiteboardPayload<E extends WhiteboardClientEventName> = z.input<(typeof whiteboardSchemas)[E]>;

export type TeacherView = z.infer<typeof viewSchema> & { locked: boolean };
export type DrawPermissions = { mode: 'everyone' | 'nobody' | 'named'; userIds: string[] };

/** An op's answer: its sequence number and effects (`duplicate`: seen before, nothing changed). */
export interface AppliedOp {
  seq: number;
  effects: Effect[];
  duplicate: boolean;
}

/** Pages as JSON carries them, in order. */
export interface BoardPages {
  order: string[];
  pages: Record<string, PageData>;
}

/** What a client needs to catch up: the ops since its `since`, or the pages when it is too far behind. */
export interface SyncAnswer {
  seq: number;
  pages?: BoardPages;
  entries: Array<{ seq: number; userId: string; op: BoardOp; effects: Effect[] }>;
  teacherView: TeacherView | null;
  permissions: DrawPermissions;
}

/** What each client event's ack carries when it succeeds. */
export interface WhiteboardAckData {
  [WhiteboardEvents.op]: AppliedOp;
  [WhiteboardEvents.sync]: SyncAnswer;
  [WhiteboardEvents.follow]: TeacherView;
  [WhiteboardEvents.permissions]: DrawPermissions;
}

export interface WhiteboardServerPayloads {
  [WhiteboardEvents.effects]: { seq: number; userId: string; effects: Effect[] };
  [WhiteboardEvents.teacherView]: TeacherView;
  [WhiteboardEvents.permissionsChanged]: DrawPermissions;
  [WhiteboardEvents.board]: BoardPages & { seq: number };
}
