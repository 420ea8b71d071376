/**
 * Big lectures on the wire: which path a joiner's media takes (WebRTC through the SFU, or the class's
 * HLS broadcast), the instructor letting an HLS viewer onto WebRTC to speak, and how many are on each
 * path. The broadcast gateway validates these; the Angular room uses the types.
 */
import { z } from 'zod';
import { safeId } from './ids';

export const BroadcastEvents = {
  /** Asked before joining media: where this person's media goes now. */
  route: 'broadcast:route',
  /** Instructor: let an HLS viewer onto WebRTC (they asked to speak). */
  promote: 'broadcast:promote',
  /** Instructor: how many are on each path now. */
  paths: 'broadcast:paths',
} as const;

export const BroadcastServerEvents = {
  /** To the promoted person's sockets: join WebRTC now. */
  promoted: 'broadcast:promoted',
  /** To the class's instructors when the counts change. */
  paths: 'broadcast:paths',
} as const;

export const broadcastSchemas = {
  [BroadcastEvents.route]: z.object({}).strict(),
  [BroadcastEvents.promote]: z.object({ userId: safeId.pipe(z.string().min(1).max(200)) }).strict(),
  [BroadcastEvents.paths]: z.object({}).strict(),
} as const;

export type BroadcastEventName = (typeof BroadcastEvents)[keyof typeof BroadcastEvents];
export type BroadcastPayload<E extends BroadcastEventName> = z.infer<(typeof broadcastSchemas)[E]>;

/** Where a person's media goes. `hls`: play `playlistUrl` (a signed link, same origin unless HLS_BASE_URL). */
export type MediaRoute =
  { path: 'webrtc' } | { path: 'hls'; playlistUrl: string; reason: 'cpu' | 'viewers'; expiresAt: number };

export interface MediaPaths {
  webrtc: number;
  hls: number;
  /** The people on HLS (user ids; at most HLS_LISTED_VIEWERS of them): the instructor may promote them. */
  hlsUserIds: string[];
}

export interface BroadcastAckData {
  [BroadcastEvents.route]: MediaRoute;
  [BroadcastEvents.promote]: MediaPaths;
  [BroadcastEvents.paths]: MediaPaths;
}

export interface BroadcastServerPayloads {
  [BroadcastServerEvents.promoted]: { sessionId: string };
  [BroadcastServerEvents.paths]: MediaPaths;
}
