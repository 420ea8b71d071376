import crypto from 'node:crypto';
import type { MediaServerEventName, MediaServerPayloads } from '../../contracts/media';
import type { RoomClient } from '../../testing/room-client';

/**
 * What the Node-side media tests send: a DTLS fingerprint (the transport accepts it; no DTLS handshake
 * follows, as no browser is on the other end) and RTP parameters of the kind browsers send.
 */
export const fingerprint = () => ({
  algorithm: 'sha-256' as const,
  value: crypto.randomBytes(32).toString('hex').toUpperCase().match(/../g)!.join(':'),
});
export const opus = (ssrc: number) => ({
  codecs: [
    {
      mimeType: 'audio/opus',
      payloadType: 111,
      clockRate: 48000,
      channels: 2,
      parameters: { useinbandfec: 1, usedtx: 1 },
    },
  ],
  encodings: [{ ssrc }],
  rtcp: { cname: `c${ssrc}` },
});
export const vp8 = (ssrc: number) => ({
  codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 }],
  encodings: [{ ssrc }],
  rtcp: { cname: `c${ssrc}` },
});

/** A media event that must succeed: its ack's data, or a thrown error naming the code. */
export async function ok<T>(c: RoomClient, event: string, payload: unknown): Promise<T> {
  const ack = await c.call<T>(event, payload);
  if (!ack.ok) throw new Error(`${event}: ${ack.error.code} ${ack.error.message}`);
  return ack.data;
}

/** A media event that should be refused: its error code ('OK' when it was not). */
export async function refusal(c: RoomClient, event: string, payload: unknown): Promise<string> {
  const ack = await c.call(event, payload);
  return ack.ok ? 'OK' : ack.error.code;
}

/** A media event the server sends this client (the first matching `match`), typed by its name. */
export function heard<E extends MediaServerEventName>(
  c: RoomClient,
  event: E,
  match?: (p: MediaServerPayloads[E]) => boolean,
): Promise<MediaServerPayloads[E]> {
  return c.waitFor<MediaServerPayloads, E>(event, match);
}
