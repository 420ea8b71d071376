/**
 * Media signalling on the live room's socket: every event, payload and ack of the SFU. The media
 * gateway validates inbound payloads against these schemas; the Angular media service uses the types.
 * mediasoup's own structures (RTP capabilities and parameters, DTLS parameters) are checked for shape
 * here and for meaning by mediasoup itself; either failure is a coded ack, never a thrown socket.
 */
import { z } from 'zod';
import { safeId } from './ids';

export const MediaEvents = {
  join: 'media:join',
  ready: 'media:ready',
  createTransport: 'media:create-transport',
  connectTransport: 'media:connect-transport',
  restartIce: 'media:restart-ice',
  produce: 'media:produce',
  pauseProducer: 'media:pause-producer',
  closeProducer: 'media:close-producer',
  consume: 'media:consume',
  resumeConsumer: 'media:resume-consumer',
  setLayers: 'media:set-layers',
  leave: 'media:leave',
  policy: 'media:set-policy',
} as const;

export const MediaServerEvents = {
  producerAdded: 'media:producer-added',
  producerClosed: 'media:producer-closed',
  producerPaused: 'media:producer-paused',
  consumerClosed: 'media:consumer-closed',
  activeSpeaker: 'media:active-speaker',
  quality: 'media:quality',
  rejoin: 'media:rejoin',
  policyChanged: 'media:policy',
  videoCodec: 'media:video-codec',
} as const;

export const sources = ['mic', 'camera', 'screen', 'screen-audio'] as const;
export type MediaSource = (typeof sources)[number];

const mime = z.string().regex(/^(audio|video)\/[A-Za-z0-9_.+-]{1,40}$/, 'must be a MIME type such as video/VP8');
/** Codec and header-extension parameters: their names are keys, so never `__proto__` and the like. */
const params = z.record(safeId.max(64), z.union([z.string().max(256), z.number(), z.boolean()]));
const feedback = z
  .array(z.object({ type: z.string().max(32), parameter: z.string().max(32).optional() }).strict())
  .max(16);
const headerExtension = z
  .object({
    kind: z.enum(['audio', 'video']).optional(),
    uri: z.string().max(200),
    preferredId: z.number().int().min(1).max(255).optional(),
    id: z.number().int().min(1).max(255).optional(),
    preferredEncrypt: z.boolean().optional(),
    encrypt: z.boolean().optional(),
    direction: z.enum(['sendrecv', 'sendonly', 'recvonly', 'inactive']).optional(),
    parameters: params.optional(),
  })
  .strict();

export const rtpCapabilitiesSchema = z
  .object({
    codecs: z
      .array(
        z
          .object({
            kind: z.enum(['audio', 'video']),
            mimeType: mime,
            preferredPayloadType: z.number().int().min(0).max(127).optional(),
            clockRate: z.number().int().min(1).max(1_000_000),
            channels: z.number().int().min(1).max(8).optional(),
            parameters: params.optional(),
            rtcpFeedback: feedback.optional(),
          })
          .strict(),
      )
      .min(1)
      .max(64),
    headerExtensions: z.array(headerExtension).max(32).optional(),
  })
  .strict();

export const rtpParametersSchema = z
  .object({
    mid: z.string().max(32).optional(),
    codecs: z
      .array(
        z
          .object({
            mimeType: mime,
            payloadType: z.number().int().min(0).max(127),
            clockRate: z.number().int().min(1).max(1_000_000),
            channels: z.number().int().min(1).max(8).optional(),
            parameters: params.optional(),
            rtcpFeedback: feedback.optional(),
          })
          .strict(),
      )
      .min(1)
      .max(16),
    headerExtensions: z.array(headerExtension).max(32).optional(),
    encodings: z
      .array(
        z
          .object({
            ssrc: z.number().int().min(0).optional(),
            rid: z.string().max(16).optional(),
            codecPayloadType: z.number().int().optional(),
            rtx: z
              .object({ ssrc: z.number().int().min(0) })
              .strict()
              .optional(),
            dtx: z.boolean().optional(),
            scalabilityMode: z.string().max(16).optional(),
            scaleResolutionDownBy: z.number().min(1).max(64).optional(),
            maxBitrate: z.number().int().min(0).optional(),
            maxFramerate: z.number().min(0).max(120).optional(),
            adaptivePtime: z.boolean().optional(),
            priority: z.enum(['very-low', 'low', 'medium', 'high']).optional(),
            networkPriority: z.enum(['very-low', 'low', 'medium', 'high']).optional(),
            active: z.boolean().optional(),
          })
          .strict(),
      )
      .max(4)
      .optional(),
    rtcp: z
      .object({
        cname: z.string().max(64).optional(),
        reducedSize: z.boolean().optional(),
        mux: z.boolean().optional(),
      })
      .strict()
      .optional(),
    msid: z.string().max(128).optional(),
  })
  .strict();

export const dtlsParametersSchema = z
  .object({
    role: z.enum(['auto', 'client', 'server']).optional(),
    fingerprints: z
      .array(
        z
          .object({
            algorithm: z.enum(['sha-1', 'sha-224', 'sha-256', 'sha-384', 'sha-512']),
            value: z
              .string()
              .regex(/^([0-9A-Fa-f]{2}:){15,63}[0-9A-Fa-f]{2}$/, 'must be a colon-separated hex fingerprint'),
          })
          .strict(),
      )
      .min(1)
      .max(8),
  })
  .strict();

export const mediaSchemas = {
  [MediaEvents.join]: z.object({ peerId: z.uuid() }).strict(),
  [MediaEvents.ready]: z.object({ rtpCapabilities: rtpCapabilitiesSchema }).strict(),
  [MediaEvents.createTransport]: z.object({ direction: z.enum(['send', 'recv']) }).strict(),
  [MediaEvents.connectTransport]: z.object({ transportId: z.uuid(), dtlsParameters: dtlsParametersSchema }).strict(),
  [MediaEvents.restartIce]: z.object({ transportId: z.uuid() }).strict(),
  [MediaEvents.produce]: z
    .object({
      transportId: z.uuid(),
      kind: z.enum(['audio', 'video']),
      source: z.enum(sources),
      rtpParameters: rtpParametersSchema,
    })
    .strict(),
  [MediaEvents.pauseProducer]: z.object({ producerId: z.uuid(), paused: z.boolean() }).strict(),
  [MediaEvents.closeProducer]: z.object({ producerId: z.uuid() }).strict(),
  [MediaEvents.consume]: z.object({ producerId: z.uuid() }).strict(),
  [MediaEvents.resumeConsumer]: z.object({ consumerId: z.uuid() }).strict(),
  [MediaEvents.setLayers]: z
    .object({
      consumerId: z.uuid(),
      spatialLayer: z.number().int().min(0).max(2),
      temporalLayer: z.number().int().min(0).max(2).optional(),
    })
    .strict(),
  [MediaEvents.leave]: z.object({}).strict(),
  /** A change to the class's media policy: the fields sent change, the others stay. */
  [MediaEvents.policy]: z
    .object({
      studentScreenShare: z.boolean().optional(),
      micLocked: z.boolean().optional(),
      cameraLocked: z.boolean().optional(),
    })
    .strict(),
} as const;

export type MediaEventName = (typeof MediaEvents)[keyof typeof MediaEvents];
export type MediaPayload<E extends MediaEventName> = z.infer<(typeof mediaSchemas)[E]>;
export type RtpCapabilitiesWire = z.infer<typeof rtpCapabilitiesSchema>;
export type RtpParametersWire = z.infer<typeof rtpParametersSchema>;

export interface IceServer {
  urls: string[];
  username?: string;
  credential?: string;
}

export interface MediaPolicy {
  /** Whether students may share their screen (instructors always may): off is the screen lock. */
  studentScreenShare: boolean;
  /** Students' microphones locked: paused in the SFU, and not resumed unless an instructor allowed it (unmuteAllowed). */
  micLocked: boolean;
  /** Students' cameras locked: closed in the SFU and not produced again. */
  cameraLocked: boolean;
  /** Students an instructor let unmute while microphones are locked. */
  unmuteAllowed: string[];
  /** Students whose camera an instructor turned off (*Cam off*): refused until the instructor allows it again. */
  cameraStopped: string[];
}
export type MediaPolicyChange = Partial<Pick<MediaPolicy, 'studentScreenShare' | 'micLocked' | 'cameraLocked'>>;

export interface ProducerInfo {
  producerId: string;
  peerId: string;
  userId: string;
  kind: 'audio' | 'video';
  source: MediaSource;
  paused: boolean;
}

export interface TransportInfo {
  id: string;
  iceParameters: unknown;
  iceCandidates: unknown[];
  dtlsParameters: unknown;
}

export interface ConsumerInfo {
  consumerId: string;
  producerId: string;
  peerId: string;
  userId: string;
  kind: 'audio' | 'video';
  source: MediaSource;
  rtpParameters: unknown;
  producerPaused: boolean;
}

export interface MediaAckData {
  [MediaEvents.join]: {
    routerRtpCapabilities: unknown;
    iceServers: IceServer[];
    iceTransportPolicy: 'all' | 'relay';
    policy: MediaPolicy;
    resumed: boolean;
  };
  /** activeSpeaker: the peer id of whoever is speaking now. */
  [MediaEvents.ready]: {
    producers: ProducerInfo[];
    activeSpeaker: string | null;
    videoCodec: 'video/VP8' | 'video/H264';
  };
  [MediaEvents.createTransport]: TransportInfo;
  [MediaEvents.connectTransport]: null;
  [MediaEvents.restartIce]: { iceParameters: unknown };
  [MediaEvents.produce]: { producerId: string };
  [MediaEvents.pauseProducer]: null;
  [MediaEvents.closeProducer]: null;
  [MediaEvents.consume]: ConsumerInfo;
  [MediaEvents.resumeConsumer]: null;
  [MediaEvents.setLayers]: null;
  [MediaEvents.leave]: null;
  [MediaEvents.policy]: MediaPolicy;
}

export interface MediaServerPayloads {
  [MediaServerEvents.producerAdded]: ProducerInfo;
  [MediaServerEvents.producerClosed]: { producerId: string; peerId: string; source: MediaSource; byTeacher: boolean };
  [MediaServerEvents.producerPaused]: { producerId: string; peerId: string; paused: boolean; byTeacher: boolean };
  [MediaServerEvents.consumerClosed]: { consumerId: string; producerId: string };
  [MediaServerEvents.activeSpeaker]: { userId: string | null; peerId: string | null };
  /** A person's uplink quality, 0 (nothing arrives) to 10 (perfect), from mediasoup's producer scores. */
  [MediaServerEvents.quality]: { peerId: string; userId: string; score: number };
  /** The SFU lost this person's media (a worker died): build transports again, nothing else to do. */
  [MediaServerEvents.rejoin]: { reason: string };
  [MediaServerEvents.policyChanged]: MediaPolicy;
  /** The codec the class's cameras and screens send in changed (someone joined who cannot decode the other). */
  [MediaServerEvents.videoCodec]: { mimeType: 'video/VP8' | 'video/H264' };
}

export type MediaServerEventName = keyof MediaServerPayloads;
/** One server-to-browser media message: an event and its payload, checked together. */
export type MediaServerMessage = {
  [E in MediaServerEventName]: { event: E; payload: MediaServerPayloads[E] };
}[MediaServerEventName];
