/**
 * The SDP an FFmpeg capture reads: one RTP stream that a mediasoup consumer sends to it over loopback
 * (a PlainTransport, no encryption). FFmpeg listens on `rtpPort` for RTP and on `rtpPort + 1` for RTCP
 * (it ignores `a=rtcp:`), so the two ports are a pair.
 */
export interface CaptureCodec {
  kind: 'audio' | 'video';
  /** As mediasoup names it: 'audio/opus', 'video/VP8', 'video/H264'. */
  mimeType: string;
  payloadType: number;
  clockRate: number;
  channels?: number;
  /** Codec parameters (fmtp), e.g. H.264's packetization-mode and profile-level-id. */
  parameters?: Record<string, string | number>;
}

export function captureSdp(codec: CaptureCodec, rtpPort: number, ip = '127.0.0.1'): string {
  return [...sdpSession(ip), ...captureMediaSection(codec, rtpPort), ''].join('\n');
}

/** One SDP with several streams (the live broadcast's audio and video), each on its own port pair. */
export function captureSdpStreams(streams: Array<{ codec: CaptureCodec; rtpPort: number }>, ip = '127.0.0.1'): string {
  return [...sdpSession(ip), ...streams.flatMap((s) => captureMediaSection(s.codec, s.rtpPort)), ''].join('\n');
}

function sdpSession(ip: string): string[] {
  return ['v=0', `o=- 0 0 IN IP4 ${ip}`, 's=lectern-capture', `c=IN IP4 ${ip}`, 't=0 0'];
}

function captureMediaSection(codec: CaptureCodec, rtpPort: number): string[] {
  const encoding = codec.mimeType.slice(codec.mimeType.indexOf('/') + 1);
  const rtpmap =
    codec.kind === 'audio' && codec.channels && codec.channels > 1
      ? `${encoding}/${codec.clockRate}/${codec.channels}`
      : `${encoding}/${codec.clockRate}`;
  const fmtp = Object.entries(codec.parameters ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(';');
  return [
    `m=${codec.kind} ${rtpPort} RTP/AVP ${codec.payloadType}`,
    `a=rtpmap:${codec.payloadType} ${rtpmap}`,
    ...(fmtp ? [`a=fmtp:${codec.payloadType} ${fmtp}`] : []),
    'a=recvonly',
  ];
}
