/**
 * The router's codecs: Opus for voice (in-band FEC and DTX asked of senders), VP8 first for video
 * (every browser), H.264 constrained baseline for Safari versions without VP8, plus a high-profile
 * H.264 that newer Safari prefers. A viewer that cannot decode a producer's codec is not dropped: the
 * client sends VP8 alongside when it can (see the media service's consume refusal NO_COMMON_CODEC).
 */
export const routerCodecs = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2, parameters: { useinbandfec: 1, usedtx: 1 } },
  { kind: 'video', mimeType: 'video/VP8', clockRate: 90000, parameters: { 'x-google-start-bitrate': 1000 } },
  {
    kind: 'video',
    mimeType: 'video/H264',
    clockRate: 90000,
    parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 },
  },
  {
    kind: 'video',
    mimeType: 'video/H264',
    clockRate: 90000,
    parameters: { 'packetization-mode': 1, 'profile-level-id': '4d0032', 'level-asymmetry-allowed': 1 },
  },
];

/** Opus as a sender should encode it: FEC on, DTX on (silence costs nothing), stereo off for voice. */
export const opusSenderOptions = { opusFec: true, opusDtx: true, opusStereo: false } as const;

/** Three simulcast layers for cameras, one for screens (sharp text beats resolution steps). */
export const cameraEncodings = [
  { scaleResolutionDownBy: 4, maxBitrate: 150_000 },
  { scaleResolutionDownBy: 2, maxBitrate: 500_000 },
  { scaleResolutionDownBy: 1, maxBitrate: 1_500_000 },
];

export type VideoMime = 'video/VP8' | 'video/H264';

/**
 * The video codec a class's senders use: VP8 while everyone can decode it; H.264 (constrained baseline,
 * which every browser with WebRTC decodes, older Safari included) as soon as someone cannot decode VP8,
 * so nobody is left without a picture. `decodable` is, per person, the video MIME types their browser
 * can receive (from its RTP capabilities).
 */
export function classVideoCodec(decodable: string[][]): VideoMime {
  const lower = decodable.map((list) => new Set(list.map((m) => m.toLowerCase())));
  if (lower.every((s) => s.has('video/vp8'))) return 'video/VP8';
  if (lower.every((s) => s.has('video/h264'))) return 'video/H264';
  // Nobody's codec suits all: keep the one most people can decode.
  const vp8 = lower.filter((s) => s.has('video/vp8')).length;
  const h264 = lower.filter((s) => s.has('video/h264')).length;
  return h264 > vp8 ? 'video/H264' : 'video/VP8';
}
