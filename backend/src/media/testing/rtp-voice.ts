import dgram from 'node:dgram';
import type { types } from 'mediasoup';

/** The RTP header extension a browser writes on every microphone packet: the packet's level (RFC 6464). */
export const AUDIO_LEVEL_URI = 'urn:ietf:params:rtp-hdrext:ssrc-audio-level';
const EXTENSION_ID = 1;
const PAYLOAD_TYPE = 100;

/** What a producer fed by `RtpVoice` declares: Opus, and the audio level extension under id 1. */
export function voiceRtpParameters(ssrc: number): types.RtpParameters {
  return {
    codecs: [{ mimeType: 'audio/opus', payloadType: PAYLOAD_TYPE, clockRate: 48000, channels: 2 }],
    headerExtensions: [{ uri: AUDIO_LEVEL_URI, id: EXTENSION_ID }],
    encodings: [{ ssrc }],
  };
}

/**
 * A voice for tests: Opus RTP packets every 20 ms to a PlainTransport on loopback, each carrying the
 * audio level a browser measured (RFC 6464 one-byte header extension). An SFU never decodes audio to
 * find who speaks: mediasoup's observers read this very header, so a packet with a level is what a
 * browser's microphone is to them (the Opus payload is a fixed frame, never decoded here).
 */
export class RtpVoice {
  private readonly socket = dgram.createSocket('udp4');
  private timer: NodeJS.Timeout | null = null;
  private seq = 1;
  private ts = 0;
  sent = 0;

  constructor(
    private readonly port: number,
    private readonly ssrc: number,
    /** The level (dBov: 0 loudest, -127 silence) the next packets carry. */
    public level: number,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.send(), 20);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  close(): void {
    this.stop();
    this.socket.close();
  }

  private send(): void {
    const packet = Buffer.alloc(12 + 8 + 3);
    packet[0] = 0x90; // version 2, header extension present
    packet[1] = PAYLOAD_TYPE;
    packet.writeUInt16BE(this.seq & 0xffff, 2);
    packet.writeUInt32BE(this.ts >>> 0, 4);
    packet.writeUInt32BE(this.ssrc >>> 0, 8);
    // One-byte header extensions (0xBEDE), one 32-bit word: the level element, then padding.
    packet.writeUInt16BE(0xbede, 12);
    packet.writeUInt16BE(1, 14);
    packet[16] = (EXTENSION_ID << 4) | 0; // one byte of data
    packet[17] = 0x80 | Math.min(127, Math.max(0, Math.round(-this.level))); // voice activity + level
    // An Opus frame (TOC: CELT fullband 20 ms) with two bytes of data.
    packet[20] = 0xfc;
    packet[21] = 0xff;
    packet[22] = 0xfe;
    this.seq++;
    this.ts += 960;
    this.sent++;
    this.socket.send(packet, this.port, '127.0.0.1');
  }
}
