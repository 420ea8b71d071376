// A cheap but real WebRTC endpoint for media benches: what a browser does on the wire to a mediasoup
// WebRtcTransport, without a browser.
//
//  - ICE: STUN Binding Requests (USERNAME, PRIORITY, ICE-CONTROLLING, USE-CANDIDATE, MESSAGE-INTEGRITY,
//    FINGERPRINT; RFC 8445/5389) from one UDP socket, again every few seconds as browsers do for
//    consent freshness (mediasoup drops a transport whose consent lapses).
//  - DTLS: a real DTLS 1.2 handshake with the SRTP extension (RFC 5764), done by `openssl s_client`
//    through that same socket (the socket relays the handshake both ways), with a client certificate
//    whose fingerprint went to the server in connectTransport; the SRTP keys come out through
//    `-keymatexport EXTRACTOR-dtls_srtp`. Once the handshake is done, openssl is stopped (its close
//    alert is not forwarded, so the server keeps the session).
//  - Media: a receiver counts the SRTP packets the worker sends it (it does not decrypt them, nor send
//    RTCP receiver reports or congestion feedback, which a browser would); a sender relays SRTP made by
//    FFmpeg (`-srtp_out_params` with the exported key) from that socket, RTCP muxed on the same port.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';

const MAGIC = 0x2112a442;

/** One self-signed client certificate for every peer of a run (a browser has one per connection; the cost is the same). */
export function clientCertificate(dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lectern-dtls-'))) {
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  return new Promise((resolve, reject) => {
    const p = spawn(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=lectern-bench',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
    p.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`openssl req exited ${code}`));
      const fingerprint = new crypto.X509Certificate(fs.readFileSync(cert)).fingerprint256;
      resolve({ cert, key, fingerprint: { algorithm: 'sha-256', value: fingerprint } });
    });
  });
}

function attr(type, value) {
  const pad = (4 - (value.length % 4)) % 4;
  const b = Buffer.alloc(4 + value.length + pad);
  b.writeUInt16BE(type, 0);
  b.writeUInt16BE(value.length, 2);
  value.copy(b, 4);
  return b;
}

/** A STUN Binding Request as a controlling ICE agent nominating this pair. */
export function bindingRequest({ remoteUfrag, localUfrag, remotePassword }) {
  const priority = Buffer.alloc(4);
  priority.writeUInt32BE(0x6e7f1eff);
  const attrs = [
    attr(0x0006, Buffer.from(`${remoteUfrag}:${localUfrag}`)),
    attr(0x0024, priority),
    attr(0x802a, crypto.randomBytes(8)),
    attr(0x0025, Buffer.alloc(0)),
  ];
  const header = Buffer.alloc(20);
  header.writeUInt16BE(0x0001, 0);
  header.writeUInt32BE(MAGIC, 4);
  crypto.randomBytes(12).copy(header, 8);
  let body = Buffer.concat(attrs);
  // MESSAGE-INTEGRITY: HMAC-SHA1 over the message with its length counting the attribute itself.
  header.writeUInt16BE(body.length + 24, 2);
  const mi = crypto
    .createHmac('sha1', remotePassword)
    .update(Buffer.concat([header, body]))
    .digest();
  body = Buffer.concat([body, attr(0x0008, mi)]);
  header.writeUInt16BE(body.length + 8, 2);
  const crc = (zlib.crc32(Buffer.concat([header, body])) ^ 0x5354554e) >>> 0;
  const fp = Buffer.alloc(4);
  fp.writeUInt32BE(crc);
  return Buffer.concat([header, body, attr(0x8028, fp)]);
}

const isStun = (m) => m.length >= 20 && m[0] < 2 && m.readUInt32BE(4) === MAGIC;
const isDtls = (m) => m[0] >= 20 && m[0] <= 63;
const isRtpOrRtcp = (m) => m[0] >= 128 && m[0] <= 191;

/**
 * One WebRTC transport's far end. `connect` runs ICE and DTLS against the server's transport
 * (`{ iceParameters, iceCandidates }` from createTransport; call the server's connectTransport with
 * `certificate.fingerprint` first). Returns the SRTP keying material (60 bytes, RFC 5764 order).
 */
export class WebRtcEndpoint {
  static async open() {
    const socket = dgram.createSocket('udp4');
    await new Promise((r) => socket.bind(0, '127.0.0.1', r));
    return new WebRtcEndpoint(socket);
  }

  constructor(socket) {
    this.socket = socket;
    this.localUfrag = crypto.randomBytes(6).toString('hex');
    this.received = { packets: 0, bytes: 0 };
    this.sent = { packets: 0 };
    this.stunResponses = 0;
    this.server = null;
    this.dtlsPeer = null; // where openssl sits while the handshake runs
    this.sending = false; // a sender: RTP/RTCP from FFmpeg (on loopback) goes on to the server
    this.consentTimer = null;
    socket.on('message', (m, from) => this.onMessage(m, from));
  }

  get port() {
    return this.socket.address().port;
  }

  onMessage(m, from) {
    const fromServer = this.server && from.port === this.server.port && from.address === this.server.ip;
    if (fromServer) {
      if (isStun(m)) this.stunResponses++;
      else if (isDtls(m)) {
        if (this.dtlsPeer) this.socket.send(m, this.dtlsPeer.port, this.dtlsPeer.address);
      } else if (isRtpOrRtcp(m)) {
        this.received.packets++;
        this.received.bytes += m.length;
      }
      return;
    }
    if (!this.server) return;
    if (this.dtlsPeer && from.port === this.dtlsPeer.port && isDtls(m)) {
      if (!this.dtlsDone) this.socket.send(m, this.server.port, this.server.ip);
      return;
    }
    if (this.sending && isRtpOrRtcp(m)) {
      this.sent.packets++;
      this.socket.send(m, this.server.port, this.server.ip);
    }
  }

  async connect({ iceParameters, iceCandidates }, certificate, { consentMs = 5000, timeoutMs = 20000 } = {}) {
    const udp = iceCandidates.find((c) => c.protocol === 'udp');
    if (!udp) throw new Error('the transport offers no UDP candidate');
    this.server = { ip: udp.address ?? udp.ip, port: udp.port };
    const request = () =>
      bindingRequest({
        remoteUfrag: iceParameters.usernameFragment,
        localUfrag: this.localUfrag,
        remotePassword: iceParameters.password,
      });
    // Nominate, then wait for the server's answer (retried as a browser retries).
    const t0 = Date.now();
    while (this.stunResponses === 0) {
      if (Date.now() - t0 > timeoutMs) throw new Error('no STUN answer from the media host');
      this.socket.send(request(), this.server.port, this.server.ip);
      await new Promise((r) => setTimeout(r, 100));
    }
    this.consentTimer = setInterval(() => this.socket.send(request(), this.server.port, this.server.ip), consentMs);
    this.consentTimer.unref();
    return this.handshake(certificate, timeoutMs);
  }

  handshake(certificate, timeoutMs) {
    return new Promise((resolve, reject) => {
      const p = spawn(
        'openssl',
        [
          's_client',
          '-dtls1_2',
          '-connect',
          `127.0.0.1:${this.port}`,
          '-cert',
          certificate.cert,
          '-key',
          certificate.key,
          '-use_srtp',
          'SRTP_AES128_CM_SHA1_80',
          '-keymatexport',
          'EXTRACTOR-dtls_srtp',
          '-keymatexportlen',
          '60',
        ],
        { stdio: ['pipe', 'pipe', 'pipe'] },
      );
      let out = '';
      const timer = setTimeout(() => {
        p.kill('SIGKILL');
        reject(new Error(`DTLS handshake did not finish: ${out.slice(-400)}`));
      }, timeoutMs);
      // openssl's source port is only known from its first packet: take it from there.
      const learn = (m, from) => {
        if (!this.dtlsPeer && isDtls(m) && !(from.port === this.server.port && from.address === this.server.ip)) {
          this.dtlsPeer = { port: from.port, address: from.address };
          this.socket.send(m, this.server.port, this.server.ip);
        }
      };
      this.socket.prependListener('message', learn);
      p.stdout.on('data', (d) => {
        out += d;
        const km = /Keying material:\s*([0-9A-Fa-f]+)/.exec(out);
        if (km && /SRTP Extension negotiated, profile=SRTP_AES128_CM_SHA1_80/.test(out)) {
          clearTimeout(timer);
          this.dtlsDone = true;
          this.socket.off('message', learn);
          p.kill('SIGKILL');
          resolve(Buffer.from(km[1], 'hex'));
        }
      });
      p.stderr.on('data', (d) => (out += d));
      p.on('exit', (code) => {
        if (!this.dtlsDone) {
          clearTimeout(timer);
          reject(new Error(`openssl s_client exited ${code}: ${out.slice(-400)}`));
        }
      });
    });
  }

  /** The SRTP key and salt this end sends with (the DTLS client's), as FFmpeg's -srtp_out_params wants them. */
  static clientSendParams(keying) {
    return Buffer.concat([keying.subarray(0, 16), keying.subarray(32, 46)]).toString('base64');
  }

  /** From now on, SRTP that a local sender (FFmpeg) sends to this socket goes on to the server. */
  relayMedia() {
    this.sending = true;
  }

  close() {
    if (this.consentTimer) clearInterval(this.consentTimer);
    this.socket.close();
  }
}
