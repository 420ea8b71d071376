// One class participant as the media benches simulate it: Lectern's real signalling (socket.io, the
// same events and acks the Angular app sends), real WebRTC transports on the media host (ICE + DTLS
// through WebRtcEndpoint), and real media: a sender's camera and microphone are a VP8 + Opus clip
// streamed by FFmpeg as SRTP with the keys of its own DTLS session; a receiver's consumers are resumed
// and their SRTP counted as it arrives.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import { io } from 'socket.io-client';
import { WebRtcEndpoint } from './webrtc-peer.mjs';

const VP8 = (ssrc) => ({
  codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 }],
  encodings: [{ ssrc }],
  rtcp: { cname: `c${ssrc}` },
});
const OPUS = (ssrc) => ({
  codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 }],
  encodings: [{ ssrc }],
  rtcp: { cname: `c${ssrc}` },
});

/** A clip for senders to loop (encoded once per run: a live encoder per sender would measure FFmpeg, not the SFU). */
export function encodeClip(file, seconds = 10) {
  return new Promise((resolve, reject) => {
    const p = spawn(
      'ffmpeg',
      [
        '-nostdin',
        '-loglevel',
        'error',
        '-y',
        '-f',
        'lavfi',
        '-i',
        `testsrc=size=640x360:rate=30:duration=${seconds}`,
        '-f',
        'lavfi',
        '-i',
        `sine=frequency=440:sample_rate=48000:duration=${seconds}`,
        '-c:v',
        'libvpx',
        '-b:v',
        '500k',
        '-deadline',
        'realtime',
        '-cpu-used',
        '8',
        // A key frame every 2 s: a new consumer starts at the next one (FFmpeg does not answer PLI).
        '-g',
        '60',
        '-c:a',
        'libopus',
        '-b:a',
        '32k',
        '-ac',
        '2',
        file,
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    p.on('exit', (code) => (code === 0 ? resolve(file) : reject(new Error(`ffmpeg (clip) exited ${code}`))));
  });
}

/** Every sender's FFmpeg, so a bench stopped by a signal can leave none behind (stopEncoders). */
const encoders = new Set();
export function stopEncoders() {
  for (const p of encoders) p.kill('SIGKILL');
}

export class MediaParticipant {
  /**
   * Connects, joins the class and its media, and opens the transports it needs (recv always, send
   * when it will produce). `url`: an instance; `token`: its session token.
   */
  static async join({ url, token, sessionId, certificate, sends = false }) {
    const socket = io(url, {
      path: '/socket.io',
      transports: ['websocket'],
      auth: { token },
      reconnection: false,
      forceNew: true,
      timeout: 20000,
    });
    await new Promise((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    const p = new MediaParticipant(socket, certificate);
    await p.call('room:join', { sessionId });
    const joined = await p.call('media:join', { peerId: p.peerId });
    const ready = await p.call('media:ready', { rtpCapabilities: joined.routerRtpCapabilities });
    p.knownProducers = ready.producers;
    p.recv = await p.transport('recv');
    if (sends) p.send = await p.transport('send');
    return p;
  }

  constructor(socket, certificate) {
    this.socket = socket;
    this.certificate = certificate;
    this.peerId = crypto.randomUUID();
    this.consumed = new Set();
    this.producerIds = [];
    this.ffmpeg = null;
  }

  async call(event, payload) {
    const ack = await this.socket.timeout(30000).emitWithAck(event, payload);
    if (!ack.ok) throw new Error(`${event}: ${ack.error.code} ${ack.error.message}`);
    return ack.data;
  }

  /**
   * A transport connected end to end. On a saturated machine a handshake can stall: then, as a browser
   * would, it asks for a new transport of that direction (which replaces the first) and tries again.
   */
  async transport(direction, attempts = 3) {
    for (let attempt = 1; ; attempt++) {
      const info = await this.call('media:create-transport', { direction });
      await this.call('media:connect-transport', {
        transportId: info.id,
        dtlsParameters: { role: 'client', fingerprints: [this.certificate.fingerprint] },
      });
      const endpoint = await WebRtcEndpoint.open();
      try {
        const keying = await endpoint.connect(info, this.certificate);
        return { id: info.id, endpoint, keying };
      } catch (e) {
        endpoint.close();
        this.retries = (this.retries ?? 0) + 1;
        if (attempt >= attempts) throw e;
      }
    }
  }

  /** Camera and microphone from the clip, looped in real time, as SRTP through the send transport. */
  async produce(clip) {
    const videoSsrc = crypto.randomInt(1, 2 ** 31);
    const audioSsrc = crypto.randomInt(1, 2 ** 31);
    const cam = await this.call('media:produce', {
      transportId: this.send.id,
      kind: 'video',
      source: 'camera',
      rtpParameters: VP8(videoSsrc),
    });
    const mic = await this.call('media:produce', {
      transportId: this.send.id,
      kind: 'audio',
      source: 'mic',
      rtpParameters: OPUS(audioSsrc),
    });
    this.producerIds = [cam.producerId, mic.producerId];
    this.send.endpoint.relayMedia();
    const port = this.send.endpoint.port;
    const srtp = ['-srtp_out_suite', 'AES_CM_128_HMAC_SHA1_80', '-srtp_out_params'];
    const key = WebRtcEndpoint.clientSendParams(this.send.keying);
    const to = `srtp://127.0.0.1:${port}?rtcpport=${port}&pkt_size=1200`;
    this.ffmpeg = spawn(
      'ffmpeg',
      [
        '-nostdin',
        '-loglevel',
        'error',
        '-re',
        '-stream_loop',
        '-1',
        '-i',
        clip,
        '-map',
        '0:v',
        '-c',
        'copy',
        '-f',
        'rtp',
        '-ssrc',
        String(videoSsrc),
        '-payload_type',
        '96',
        ...srtp,
        key,
        to,
        '-map',
        '0:a',
        '-c',
        'copy',
        '-f',
        'rtp',
        '-ssrc',
        String(audioSsrc),
        '-payload_type',
        '111',
        ...srtp,
        key,
        to,
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    encoders.add(this.ffmpeg);
    this.ffmpeg.once('exit', () => encoders.delete(this.ffmpeg));
    return this.producerIds;
  }

  /** Consumes (and resumes) each producer not yet consumed, except its own. */
  async consume(producerIds) {
    for (const producerId of producerIds) {
      if (this.consumed.has(producerId) || this.producerIds.includes(producerId)) continue;
      const c = await this.call('media:consume', { producerId });
      await this.call('media:resume-consumer', { consumerId: c.consumerId });
      this.consumed.add(producerId);
    }
  }

  get received() {
    return this.recv.endpoint.received;
  }

  /** Leaves the media (the server closes its transports at once, no grace) and disconnects. */
  async close() {
    this.ffmpeg?.kill('SIGKILL');
    await this.call('media:leave', {}).catch(() => undefined);
    this.send?.endpoint.close();
    this.recv?.endpoint.close();
    this.socket.disconnect();
  }
}
