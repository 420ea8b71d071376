/**
 * The router's codecs: Opus for voice (in-band FEC and DTX asked of senders), VP8 first for video
 * (every browser), H.264 constrained baseline for Safari versions without VP8, plus a high-profile
 * H.264 that newer Safari prefers. A viewer that cannot decode a producer's codec is not dropped: the
 * client sends VP8 alongside when it can (see the media service's consume refusal NO_COMMON_CODEC).
 */
export const routerCodecs = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2, parameters: { useinbandfec: 1, usedtx: 1 } },
  { kind: 'video', mimeType: 'video/VP8', clockRate: 90000, parameters: { 'x-google-start-bitrate': 1000 } },
  { kind: 'video', mimeType: 'video/H264', clockRate: 90000, parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 } },
  { kind: 'video', mimeType: 'video/H264', clockRate: 90000, parameters: { 'packetization-mode': 1, 'profile-level-id': '4d0032', 'level-asymmetry-allowed': 1 } },
];

/** Opus as a sender should encode it: FEC on, DTX on (silence costs nothing), stereo off for voice. */
export const opusSenderOptions = { opusFec: true, opusDtx: true, opusStereo: false } as const;

/** Three simulcast layers for cameras, one for screens (sharp text beats resolution steps). */
export const cameraEncodings = [
  { scaleResolutionDownBy: 4, maxBitrate: 150_000 },
  { scaleResolutionDownBy: 2, maxBitrate: 500_000 },
  { scaleResolutionDownBy: 1, maxBitrate: 1_500_000 },
];
