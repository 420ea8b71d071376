/**
 * Calls between backend instances: what an instance asks of the instance hosting a class's media, and
 * what it gets back. The socket's instance resolves the caller (from the class membership the socket
 * gate checked) and sends one of these requests; the host runs it through one exhaustive switch
 * (media/media-host.ts). A request that crossed Redis is parsed against `hostRequestSchema` before it
 * runs: another process, maybe another build, sent it.
 *
 * Each request is the browser's payload for the same media event (already validated at the gate) plus
 * `op` and `caller`, so a payload field added, renamed or reordered is one type change seen by both ends.
 */
import { z } from 'zod';
import { MediaAckData, MediaEvents, mediaSchemas, type MediaSource } from './media';

const text = (max: number) => z.string().min(1).max(max);

/** Who asks, as the socket's instance resolved it: never read from a browser's payload. */
export const mediaCallerSchema = z
  .object({
    /** The class (live session) whose media this is. */
    sessionId: z.uuid(),
    /** The socket the person signals on (a dropped socket starts its peer's grace period). */
    socketId: text(128),
    /** The media peer this socket joined, if it did. */
    peerId: z.uuid().optional(),
    userId: text(128),
    name: z.string().max(256),
    canTeach: z.boolean(),
  })
  .strict();
export type MediaCaller = z.infer<typeof mediaCallerSchema>;

/** One end of a pipe transport between two media hosts: where it listens, and its SRTP key when encrypted. */
export const pipeTupleSchema = z
  .object({
    ip: z.union([z.ipv4(), z.ipv6()]),
    port: z.number().int().min(1).max(65535),
    srtpParameters: z
      .object({
        cryptoSuite: z.enum([
          'AEAD_AES_256_GCM',
          'AEAD_AES_128_GCM',
          'AES_CM_128_HMAC_SHA1_80',
          'AES_CM_128_HMAC_SHA1_32',
        ]),
        keyBase64: z.string().min(1).max(200),
      })
      .strict()
      .optional(),
  })
  .strict();
export type PipeTuple = z.infer<typeof pipeTupleSchema>;

/** What the host of a producer answers when it sends that producer over a link: enough to produce it again on the other side. */
export interface PipedProducer {
  producerId: string;
  kind: 'audio' | 'video';
  rtpParameters: unknown;
  paused: boolean;
  peerId: string;
  userId: string;
  source: MediaSource;
}

/** A browser's media event run on the host for a caller: its payload (`mediaSchemas`, strict) plus `op` and `caller`. */
const caller = { caller: mediaCallerSchema };

/** The class's active speaker as decided (media/domain/class-speaker.ts), versioned so hosts apply only newer ones. */
const speakerSchema = z.object({ peerId: text(128), userId: text(128) }).strict();
export const classSpeakerStateSchema = z
  .object({
    version: z.number().int().min(0),
    speaker: speakerSchema.nullable(),
    challenger: speakerSchema.extend({ since: z.number() }).strict().nullable(),
  })
  .strict();

export const hostRequestSchema = z.discriminatedUnion('op', [
  mediaSchemas[MediaEvents.join].extend({ op: z.literal('join'), ...caller }),
  mediaSchemas[MediaEvents.ready].extend({ op: z.literal('ready'), ...caller }),
  mediaSchemas[MediaEvents.createTransport].extend({ op: z.literal('createTransport'), ...caller }),
  mediaSchemas[MediaEvents.connectTransport].extend({ op: z.literal('connectTransport'), ...caller }),
  mediaSchemas[MediaEvents.restartIce].extend({ op: z.literal('restartIce'), ...caller }),
  mediaSchemas[MediaEvents.produce].extend({ op: z.literal('produce'), ...caller }),
  mediaSchemas[MediaEvents.pauseProducer].extend({ op: z.literal('pauseProducer'), ...caller }),
  mediaSchemas[MediaEvents.closeProducer].extend({ op: z.literal('closeProducer'), ...caller }),
  mediaSchemas[MediaEvents.consume].extend({ op: z.literal('consume'), ...caller }),
  mediaSchemas[MediaEvents.resumeConsumer].extend({ op: z.literal('resumeConsumer'), ...caller }),
  mediaSchemas[MediaEvents.setLayers].extend({ op: z.literal('setLayers'), ...caller }),
  mediaSchemas[MediaEvents.leave].extend({ op: z.literal('leave'), ...caller }),
  z.object({ op: z.literal('setPolicy'), ...caller, policy: mediaSchemas[MediaEvents.policy] }).strict(),
  /** A socket dropped on some instance: its peers in this class start their grace period. */
  z.object({ op: z.literal('socketDropped'), sessionId: z.uuid(), socketId: text(128) }).strict(),
  /** A teacher's control, issued on the teacher's instance, acted on in the SFU. */
  z
    .object({
      op: z.literal('teacherAction'),
      sessionId: z.uuid(),
      userId: text(128),
      action: z.enum(['mute', 'stop-camera', 'remove']),
    })
    .strict(),
  /** The class ended: its media closes and its policy goes. */
  z.object({ op: z.literal('closeRoom'), sessionId: z.uuid() }).strict(),
  /*
   * Between the media hosts of one class spread over several (media/sfu/host-links.ts): the host that
   * needs a producer of another host opens a link (a pipe transport on each side, each told the other's
   * address), asks for producers over it, and either side tells the other when a piped producer changes
   * or the link closes. Sent to one host by its id, never to "the class's host".
   */
  z
    .object({
      op: z.literal('pipeConnect'),
      sessionId: z.uuid(),
      /** The host asking (it pulls producers over the link). */
      from: z.uuid(),
      linkId: z.uuid(),
      tuple: pipeTupleSchema,
    })
    .strict(),
  z.object({ op: z.literal('pipeProduce'), sessionId: z.uuid(), linkId: z.uuid(), producerId: z.uuid() }).strict(),
  z
    .object({
      op: z.literal('pipeEvent'),
      sessionId: z.uuid(),
      linkId: z.uuid(),
      /** A producer sent over the link closed, paused or resumed at its source; or the link itself closed. */
      event: z.discriminatedUnion('kind', [
        z.object({ kind: z.enum(['closed', 'paused', 'resumed']), producerId: z.uuid() }).strict(),
        z.object({ kind: z.literal('linkClosed') }).strict(),
      ]),
    })
    .strict(),
  /** The host that decided a new class speaker tells the class's other hosts (it told the browsers itself). */
  z.object({ op: z.literal('classSpeaker'), sessionId: z.uuid(), state: classSpeakerStateSchema }).strict(),
]);

export type HostRequest = z.infer<typeof hostRequestSchema>;
export type HostOp = HostRequest['op'];
export type HostRequestOf<O extends HostOp> = Extract<HostRequest, { op: O }>;

/** What each request answers with (the browser's ack data for the same event; null for the rest). */
export interface HostReplies {
  join: MediaAckData[typeof MediaEvents.join];
  ready: MediaAckData[typeof MediaEvents.ready];
  createTransport: MediaAckData[typeof MediaEvents.createTransport];
  connectTransport: MediaAckData[typeof MediaEvents.connectTransport];
  restartIce: MediaAckData[typeof MediaEvents.restartIce];
  produce: MediaAckData[typeof MediaEvents.produce];
  pauseProducer: MediaAckData[typeof MediaEvents.pauseProducer];
  closeProducer: MediaAckData[typeof MediaEvents.closeProducer];
  consume: MediaAckData[typeof MediaEvents.consume];
  resumeConsumer: MediaAckData[typeof MediaEvents.resumeConsumer];
  setLayers: MediaAckData[typeof MediaEvents.setLayers];
  leave: MediaAckData[typeof MediaEvents.leave];
  setPolicy: MediaAckData[typeof MediaEvents.policy];
  socketDropped: null;
  teacherAction: null;
  closeRoom: null;
  pipeConnect: PipeTuple;
  pipeProduce: PipedProducer;
  pipeEvent: null;
  classSpeaker: null;
}
export type HostReply<R extends HostRequest> = HostReplies[R['op']];

/** Requests that only mean something where the class's media already is: with no host anywhere, they do nothing. */
export const ONLY_IF_HOSTED: ReadonlySet<HostOp> = new Set<HostOp>([
  'socketDropped',
  'teacherAction',
  'closeRoom',
  'leave',
]);

/**
 * Requests that, with no host anywhere, run on the asking instance: a policy change is a Redis write
 * (the host that opens the class's media later reads it), with nothing in the SFU to act on yet.
 */
export const LOCAL_IF_UNHOSTED: ReadonlySet<HostOp> = new Set<HostOp>(['setPolicy']);

/** Requests addressed to one host by id (between the hosts of a class): run wherever they land, no ownership check. */
export const HOST_TO_HOST: ReadonlySet<HostOp> = new Set<HostOp>([
  'pipeConnect',
  'pipeProduce',
  'pipeEvent',
  'classSpeaker',
]);

/** The class a request is about (the host is chosen by it). */
export const hostSessionOf = (r: HostRequest): string => ('caller' in r ? r.caller.sessionId : r.sessionId);

/** On the Redis channel of the host: one request, and where to answer. */
export const hostEnvelopeSchema = z.object({ id: z.uuid(), from: z.uuid(), request: z.unknown() }).strict();
export type HostEnvelope = { id: string; from: string; request: HostRequest };

/** On the Redis channel of the asking instance: the reply to one request, or its error with a code. */
export const hostAnswerSchema = z.discriminatedUnion('ok', [
  z.object({ id: z.uuid(), ok: z.literal(true), data: z.unknown() }).strict(),
  z
    .object({
      id: z.uuid(),
      ok: z.literal(false),
      error: z.object({ code: text(64), message: z.string().max(2000), status: z.number().int() }).strict(),
    })
    .strict(),
]);
export type HostAnswer = z.infer<typeof hostAnswerSchema>;
