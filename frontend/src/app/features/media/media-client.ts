import { computed, signal } from '@angular/core';
import { ClientEvents } from '@contracts/realtime';
import { ConsumerInfo, MediaAckData, MediaEvents, MediaPolicy, MediaServerEvents, MediaServerPayloads, MediaSource, ProducerInfo, TransportInfo } from '@contracts/media';
import { cameraEncodings, opusSenderOptions } from '@media-domain/codecs';
import { qualityFromSample, spatialLayerFor } from '@media-domain/quality';
import { Device, types } from 'mediasoup-client';
import { RoomSocket } from '../../core/room-socket.service';
import { safeStorage } from '../../core/safe-storage';
import { frameRefuses, inFrame } from '../../core/popout';

/** One person's (one tab's) media as this browser shows it. */
export interface Tile {
  peerId: string;
  userId: string;
  self: boolean;
  camera: MediaStream | null;
  screen: MediaStream | null;
  audio: MediaStream | null;
  micPaused: boolean;
  /** 0-10: the server's score of their uplink, or for our own tile, our uplink as getStats reads it. */
  quality: number | null;
  /** From getStats of what this browser receives from them (or, for self, sends). */
  framesDecoded: number;
  screenFrames: number;
  audioPackets: number;
}

type Ack<T> = { ok: true; data: T } | { ok: false; error: { code: string; message: string } };
type Remote = { consumer: types.Consumer; info: ConsumerInfo; layer: number | null; lastLost: number; lastReceived: number };

const DEVICE_KEYS = { audioinput: 'lectern.mic', videoinput: 'lectern.camera' } as const;
const audioConstraints = (deviceId?: string): MediaTrackConstraints => ({
  echoCancellation: true,
  noiseSuppression: true,
  autoGainControl: true,
  ...(deviceId ? { deviceId: { ideal: deviceId } } : {}),
});

/** A per-tab id, kept across reloads of the same tab so a quick reconnect resumes the same SFU peer. */
function tabPeerId(): string {
  const key = 'lectern.media-peer';
  let id = safeStorage.get(key, 'session');
  if (!id) {
    id = crypto.randomUUID();
    safeStorage.set(key, id, 'session');
  }
  return id;
}

/**
 * The browser side of the SFU: a mediasoup-client Device, one send and one receive transport, our
 * producers (mic with echo cancellation, noise suppression and auto gain; camera with 3 simulcast
 * layers; screen), and a consumer for each producer of everyone else. It recovers by itself: ICE
 * restart when the network blips, a full rejoin when that fails or the server asks (a worker died).
 */
export class MediaClient {
  readonly tiles = signal<Tile[]>([]);
  readonly activeSpeaker = signal<string | null>(null);
  readonly state = signal<'idle' | 'connecting' | 'connected' | 'reconnecting' | 'failed'>('idle');
  readonly error = signal<string | null>(null);
  readonly policy = signal<MediaPolicy>({ studentScreenShare: false });
  /** How our media travels: 'host' (direct), 'srflx'/'prflx' (through NAT), 'relay' (through TURN). */
  readonly route = signal<string | null>(null);
  readonly mic = signal(false);
  readonly camera = signal(false);
  readonly screen = signal(false);
  readonly devices = signal<MediaDeviceInfo[]>([]);
  readonly mics = computed(() => this.devices().filter((d) => d.kind === 'audioinput'));
  readonly cameras = computed(() => this.devices().filter((d) => d.kind === 'videoinput'));
  readonly chosenMic = signal(safeStorage.get(DEVICE_KEYS.audioinput) ?? '');
  readonly chosenCamera = signal(safeStorage.get(DEVICE_KEYS.videoinput) ?? '');

  private readonly peerId = tabPeerId();
  private device: Device | null = null;
  private send: types.Transport | null = null;
  private recv: types.Transport | null = null;
  private readonly producers = new Map<MediaSource, types.Producer>();
  private readonly tracks = new Map<MediaSource, MediaStreamTrack>();
  private readonly remotes = new Map<string, Remote>();
  private readonly quality = new Map<string, number>();
  private statsTimer: ReturnType<typeof setInterval> | null = null;
  private iceTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private starting: Promise<void> | null = null;
  private closed = false;
  /** Producers announced before our receive transport existed. */
  private readonly early = new Map<string, ProducerInfo>();
  /** The class's video codec (VP8 unless someone cannot decode it). */
  private videoCodec = 'video/VP8';
  private retries = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private selfStats = { lost: 0, sent: 0, quality: null as number | null };

  constructor(private readonly room: RoomSocket, private readonly myUserId: () => string | null) {
    const on = <E extends keyof MediaServerPayloads>(event: E, handler: (p: MediaServerPayloads[E]) => void) => room.listen(event, handler as (p: never) => void);
    on(MediaServerEvents.producerAdded, (p) => void this.consume(p));
    on(MediaServerEvents.consumerClosed, ({ consumerId }) => this.dropConsumer(consumerId));
    on(MediaServerEvents.producerClosed, (p) => {
      this.early.delete(p.producerId);
      this.ownProducerClosed(p);
    });
    on(MediaServerEvents.producerPaused, (p) => this.producerPaused(p));
    on(MediaServerEvents.activeSpeaker, ({ peerId }) => this.activeSpeaker.set(peerId));
    on(MediaServerEvents.quality, ({ peerId, score }) => {
      this.quality.set(peerId, score);
      this.render();
    });
    on(MediaServerEvents.policyChanged, (p) => this.policy.set(p));
    on(MediaServerEvents.rejoin, () => void this.rejoin());
    on(MediaServerEvents.videoCodec, ({ mimeType }) => void this.switchVideoCodec(mimeType));
    navigator.mediaDevices?.addEventListener('devicechange', () => void this.refreshDevices());
  }

  private async call<T>(event: string, payload: unknown): Promise<T> {
    const ack = (await this.room.request<T>(event, payload)) as Ack<T>;
    if (!ack.ok) throw Object.assign(new Error(ack.error.message), { code: ack.error.code });
    return ack.data;
  }

  /** Joins the class's media (after every room join). Receiving starts at once; sending when asked. */
  start(): Promise<void> {
    this.starting ??= this.connect().finally(() => (this.starting = null));
    return this.starting;
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    this.state.set(this.state() === 'idle' ? 'connecting' : 'reconnecting');
    try {
      const joined = await this.call<MediaAckData[typeof MediaEvents.join]>(MediaEvents.join, { peerId: this.peerId });
      this.policy.set(joined.policy);
      if (joined.resumed && this.send && this.recv && !this.send.closed && !this.recv.closed) {
        // The server kept our transports through the blip: nothing to rebuild.
        this.state.set('connected');
        return;
      }
      this.teardownLocal();
      const device = new Device();
      await device.load({ routerRtpCapabilities: joined.routerRtpCapabilities as types.RtpCapabilities });
      this.device = device;
      const ready = await this.call<MediaAckData[typeof MediaEvents.ready]>(MediaEvents.ready, { rtpCapabilities: device.rtpCapabilities });
      this.videoCodec = ready.videoCodec;
      const ice = { iceServers: joined.iceServers, iceTransportPolicy: joined.iceTransportPolicy };
      this.send = this.transport('send', await this.call<TransportInfo>(MediaEvents.createTransport, { direction: 'send' }), ice);
      this.recv = this.transport('recv', await this.call<TransportInfo>(MediaEvents.createTransport, { direction: 'recv' }), ice);
      this.activeSpeaker.set(ready.activeSpeaker);
      // What we were sending before a rebuild goes out again.
      for (const [source, track] of [...this.tracks]) if (track.readyState === 'live') await this.produce(source, track);
      const announced = [...this.early.values()];
      this.early.clear();
      await Promise.all([...ready.producers, ...announced.filter((a) => !ready.producers.some((p) => p.producerId === a.producerId))].map((p) => this.consume(p)));
      this.statsTimer ??= setInterval(() => void this.sampleStats(), 2000);
      this.state.set('connected');
      this.error.set(null);
      void this.refreshDevices();
      this.retries = 0;
    } catch (e) {
      this.state.set('failed');
      this.error.set(`Video could not connect: ${(e as Error).message}. Retrying…`);
      // Retried by itself (a host that moved, a worker being replaced): 1, 2, 4, 8, then every 15 s.
      const delay = Math.min(15_000, 1000 * 2 ** this.retries++);
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => void this.rejoin(), delay);
    }
  }

  private transport(direction: 'send' | 'recv', info: TransportInfo, ice: { iceServers: RTCIceServer[]; iceTransportPolicy: RTCIceTransportPolicy }): types.Transport {
    const options = { ...(info as unknown as types.TransportOptions), ...ice };
    const t = direction === 'send' ? this.device!.createSendTransport(options) : this.device!.createRecvTransport(options);
    t.on('connect', ({ dtlsParameters }, done, fail) => {
      this.call(MediaEvents.connectTransport, { transportId: t.id, dtlsParameters }).then(() => done(), fail);
    });
    if (direction === 'send') {
      t.on('produce', ({ kind, rtpParameters, appData }, done, fail) => {
        this.call<{ producerId: string }>(MediaEvents.produce, { transportId: t.id, kind, source: appData['source'], rtpParameters }).then(({ producerId }) => done({ id: producerId }), fail);
      });
    }
    t.on('connectionstatechange', (state) => this.transportState(t, state));
    return t;
  }

  /** ICE restart when a transport drops; a full rejoin if it fails again. */
  private transportState(t: types.Transport, state: RTCPeerConnectionState) {
    clearTimeout(this.iceTimers.get(t.id));
    if (state === 'connected') {
      if (this.state() === 'reconnecting') this.state.set('connected');
      this.error.set(null);
      return;
    }
    if (state === 'disconnected' || state === 'failed') {
      this.state.set('reconnecting');
      const wait = state === 'failed' ? 0 : 2000;
      this.iceTimers.set(t.id, setTimeout(async () => {
        try {
          const { iceParameters } = await this.call<{ iceParameters: types.IceParameters }>(MediaEvents.restartIce, { transportId: t.id });
          await t.restartIce({ iceParameters });
          this.iceTimers.set(t.id, setTimeout(() => {
            if (t.connectionState !== 'connected') void this.rejoin();
          }, 10_000));
        } catch {
          void this.rejoin();
        }
      }, wait));
    }
  }

  /** Everything local dropped, then joined again (the server's peer goes with a media:leave). */
  async rejoin(): Promise<void> {
    this.teardownLocal();
    await this.call(MediaEvents.leave, {}).catch(() => undefined);
    await this.start();
  }

  private teardownLocal() {
    for (const t of this.iceTimers.values()) clearTimeout(t);
    this.iceTimers.clear();
    for (const r of this.remotes.values()) r.consumer.close();
    this.remotes.clear();
    for (const p of this.producers.values()) p.close();
    this.producers.clear();
    this.send?.close();
    this.recv?.close();
    this.send = this.recv = null;
    this.render();
  }

  private async consume(p: ProducerInfo): Promise<void> {
    if (p.peerId === this.peerId) return;
    if (!this.recv || !this.device) {
      // Announced while our transports are being (re)built: consumed as soon as they exist.
      this.early.set(p.producerId, p);
      return;
    }
    if ([...this.remotes.values()].some((r) => r.info.producerId === p.producerId)) return;
    try {
      const info = await this.call<ConsumerInfo>(MediaEvents.consume, { producerId: p.producerId });
      const consumer = await this.recv.consume({ id: info.consumerId, producerId: info.producerId, kind: info.kind, rtpParameters: info.rtpParameters as types.RtpParameters });
      this.remotes.set(consumer.id, { consumer, info, layer: null, lastLost: 0, lastReceived: 0 });
      consumer.on('trackended', () => this.dropConsumer(consumer.id));
      await this.call(MediaEvents.resumeConsumer, { consumerId: consumer.id });
      if (p.paused) this.quality.set(p.peerId, this.quality.get(p.peerId) ?? 10);
      this.render();
    } catch (e) {
      if ((e as { code?: string }).code !== 'PRODUCER_NOT_FOUND') this.error.set(`A stream could not be received: ${(e as Error).message}`);
    }
  }

  private dropConsumer(consumerId: string) {
    const r = this.remotes.get(consumerId);
    if (!r) return;
    r.consumer.close();
    this.remotes.delete(consumerId);
    this.render();
  }

  /** The instructor (or the class's policy) stopped one of our sources; anything else closing ours (a
   * worker restarting, the class moving) is followed by a rejoin that sends it again. */
  private ownProducerClosed(p: MediaServerPayloads[typeof MediaServerEvents.producerClosed]) {
    if (p.peerId !== this.peerId || !p.byTeacher) return;
    const producer = this.producers.get(p.source);
    if (producer?.id !== p.producerId) return;
    producer.close();
    this.producers.delete(p.source);
    this.tracks.get(p.source)?.stop();
    this.tracks.delete(p.source);
    this.flags();
    if (p.byTeacher) this.error.set(p.source === 'camera' ? 'The instructor turned your camera off' : 'The instructor stopped your screen share');
  }

  private producerPaused(p: MediaServerPayloads[typeof MediaServerEvents.producerPaused]) {
    if (p.peerId === this.peerId) {
      const mic = this.producers.get('mic');
      if (mic?.id === p.producerId && p.paused && !mic.paused) {
        mic.pause();
        this.mic.set(false);
      }
    }
    for (const r of this.remotes.values()) if (r.info.producerId === p.producerId) r.info.producerPaused = p.paused;
    this.render();
  }

  private async produce(source: MediaSource, track: MediaStreamTrack): Promise<void> {
    if (!this.send || !this.device) return;
    const video = this.videoCodecCapability();
    const producer = await this.send.produce({
      track,
      appData: { source },
      stopTracks: false,
      ...(source === 'mic' ? { codecOptions: opusSenderOptions } : {}),
      ...(source === 'camera' ? { encodings: cameraEncodings.map((e) => ({ ...e })), codec: video, codecOptions: { videoGoogleStartBitrate: 1000 } } : {}),
      ...(source === 'screen' ? { codec: video, encodings: [{ maxBitrate: 2_500_000 }] } : {}),
    });
    this.producers.set(source, producer);
    track.addEventListener('ended', () => void this.trackEnded(source, track));
    this.render();
  }

  /** The sender codec capability for the class's video codec (H.264: constrained baseline first), or the device's first. */
  private videoCodecCapability(): types.RtpCodecCapability | undefined {
    const codecs = this.device?.rtpCapabilities.codecs ?? [];
    const want = this.videoCodec.toLowerCase();
    const matching = codecs.filter((c) => c.mimeType.toLowerCase() === want);
    return matching.find((c) => String(c.parameters?.['profile-level-id'] ?? '').startsWith('42e0')) ?? matching[0] ?? codecs.find((c) => c.kind === 'video' && !/rtx/i.test(c.mimeType));
  }

  /** The class switched video codec: send camera and screen again in it (the old producers close). */
  private async switchVideoCodec(mimeType: string) {
    this.videoCodec = mimeType;
    for (const source of ['camera', 'screen'] as const) {
      const producer = this.producers.get(source);
      const track = this.tracks.get(source);
      if (!producer || !track || producer.rtpParameters.codecs[0]?.mimeType.toLowerCase() === mimeType.toLowerCase()) continue;
      producer.close();
      this.producers.delete(source);
      await this.call(MediaEvents.closeProducer, { producerId: producer.id }).catch(() => undefined);
      await this.produce(source, track).catch((e) => this.error.set(describeMediaError(e, source)));
    }
  }

  /** The user's own toggles: acquire (or release) the device and start (or stop) sending it. */
  async toggle(source: 'mic' | 'camera' | 'screen'): Promise<void> {
    this.error.set(null);
    const producer = this.producers.get(source);
    if (source === 'mic' && producer) {
      // Muting keeps the producer (unmute is instant) and pauses it in the SFU too.
      const paused = !producer.paused;
      if (paused) producer.pause();
      else producer.resume();
      await this.call(MediaEvents.pauseProducer, { producerId: producer.id, paused }).catch(() => undefined);
      this.flags();
      return;
    }
    if (producer) return this.stop(source);
    try {
      const track = await this.acquire(source);
      this.tracks.set(source, track);
      await this.produce(source, track);
    } catch (e) {
      this.tracks.get(source)?.stop();
      this.tracks.delete(source);
      this.error.set(describeMediaError(e, source));
    }
    this.flags();
  }

  private async acquire(source: 'mic' | 'camera' | 'screen'): Promise<MediaStreamTrack> {
    if (source === 'screen') {
      const stream = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: 15 }, audio: false });
      return stream.getVideoTracks()[0];
    }
    if (source === 'mic') {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: audioConstraints(this.chosenMic() || undefined) });
      return stream.getAudioTracks()[0];
    }
    const stream = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 24 }, ...(this.chosenCamera() ? { deviceId: { ideal: this.chosenCamera() } } : {}) } });
    return stream.getVideoTracks()[0];
  }

  private async stop(source: MediaSource) {
    const producer = this.producers.get(source);
    this.producers.delete(source);
    this.tracks.get(source)?.stop();
    this.tracks.delete(source);
    if (producer) {
      producer.close();
      await this.call(MediaEvents.closeProducer, { producerId: producer.id }).catch(() => undefined);
    }
    this.flags();
  }

  /** A device vanished (unplugged headset, camera taken by another app): fall back to the default one. */
  private async trackEnded(source: MediaSource, track: MediaStreamTrack) {
    if (this.tracks.get(source) !== track || source === 'screen' || source === 'screen-audio') {
      if (source === 'screen' && this.tracks.get(source) === track) await this.stop('screen');
      return;
    }
    const producer = this.producers.get(source);
    try {
      const fresh = await navigator.mediaDevices.getUserMedia(source === 'mic' ? { audio: audioConstraints() } : { video: true });
      const next = source === 'mic' ? fresh.getAudioTracks()[0] : fresh.getVideoTracks()[0];
      this.tracks.set(source, next);
      next.addEventListener('ended', () => void this.trackEnded(source, next));
      await producer?.replaceTrack({ track: next });
      this.error.set(`Your ${source === 'mic' ? 'microphone' : 'camera'} went away; switched to ${next.label || 'the default device'}`);
    } catch (e) {
      await this.stop(source);
      this.error.set(describeMediaError(e, source));
    }
    void this.refreshDevices();
  }

  async chooseDevice(kind: 'audioinput' | 'videoinput', deviceId: string): Promise<void> {
    safeStorage.set(DEVICE_KEYS[kind], deviceId);
    (kind === 'audioinput' ? this.chosenMic : this.chosenCamera).set(deviceId);
    const source = kind === 'audioinput' ? 'mic' : 'camera';
    const producer = this.producers.get(source);
    if (!producer) return;
    try {
      const track = await this.acquire(source);
      this.tracks.get(source)?.stop();
      this.tracks.set(source, track);
      track.addEventListener('ended', () => void this.trackEnded(source, track));
      await producer.replaceTrack({ track });
    } catch (e) {
      this.error.set(describeMediaError(e, source));
    }
  }

  async refreshDevices(): Promise<void> {
    const list = (await navigator.mediaDevices?.enumerateDevices().catch(() => [])) ?? [];
    this.devices.set(list.filter((d) => d.deviceId && (d.kind === 'audioinput' || d.kind === 'videoinput')));
  }

  /** The viewer's tile for a peer is this high: receive the simulcast layer that fills it, no more. */
  tileSize(peerId: string, heightPx: number): void {
    const layer = spatialLayerFor(heightPx, window.devicePixelRatio || 1);
    for (const r of this.remotes.values()) {
      if (r.info.peerId !== peerId || r.info.source !== 'camera' || r.layer === layer) continue;
      r.layer = layer;
      void this.call(MediaEvents.setLayers, { consumerId: r.consumer.id, spatialLayer: layer }).catch(() => undefined);
    }
  }

  /** getStats of what we receive (frames decoded, audio packets, loss) per tile, and of what we send, for our own tile. */
  private async sampleStats() {
    for (const r of this.remotes.values()) {
      const stats = await r.consumer.getStats().catch(() => null);
      stats?.forEach((s) => {
        if (s.type !== 'inbound-rtp') return;
        const lost = s.packetsLost ?? 0;
        const received = s.packetsReceived ?? 0;
        (r as Remote & { frames?: number; packets?: number }).frames = s.framesDecoded ?? 0;
        (r as Remote & { frames?: number; packets?: number }).packets = received;
        if (r.info.kind === 'audio' || r.info.source === 'camera') {
          const score = qualityFromSample({ lost: lost - r.lastLost, received: received - r.lastReceived, jitterSeconds: s.jitter });
          // The worse of the sender's uplink (server score) and our own downlink from them.
          const server = this.quality.get(r.info.peerId);
          this.quality.set(`rx:${r.info.peerId}`, server === undefined ? score : Math.min(server, score));
        }
        r.lastLost = lost;
        r.lastReceived = received;
      });
    }
    for (const t of [this.recv, this.send]) {
      const stats = t && t.connectionState === 'connected' ? await t.getStats().catch(() => null) : null;
      const candidates = new Map<string, string>();
      let pairLocal: string | null = null;
      stats?.forEach((s) => {
        if (s.type === 'local-candidate') candidates.set(s.id, s.candidateType);
        if (s.type === 'transport' && s.selectedCandidatePairId) pairLocal = stats.get(s.selectedCandidatePairId)?.localCandidateId ?? null;
      });
      if (pairLocal) {
        this.route.set(candidates.get(pairLocal) ?? null);
        break;
      }
    }
    if (this.send && this.producers.size) {
      const stats = await this.send.getStats().catch(() => null);
      let lost = 0, sent = 0, rtt: number | undefined;
      stats?.forEach((s) => {
        if (s.type === 'remote-inbound-rtp') lost += Math.max(0, s.packetsLost ?? 0);
        if (s.type === 'outbound-rtp') sent += s.packetsSent ?? 0;
        if (s.type === 'candidate-pair' && s.nominated && s.currentRoundTripTime !== undefined) rtt = s.currentRoundTripTime;
      });
      this.selfStats.quality = qualityFromSample({ lost: lost - this.selfStats.lost, received: sent - this.selfStats.sent, rttSeconds: rtt });
      this.selfStats.lost = lost;
      this.selfStats.sent = sent;
    }
    this.render();
  }

  private flags() {
    const mic = this.producers.get('mic');
    this.mic.set(!!mic && !mic.paused);
    this.camera.set(this.producers.has('camera'));
    this.screen.set(this.producers.has('screen'));
    this.render();
    // The room's participant flags follow (what others see in the people list).
    void this.room.request(ClientEvents.media, { camera: this.camera(), mic: this.mic() });
  }

  /** Rebuilds the tiles from producers and consumers (cheap: a handful per person). */
  private render() {
    const tiles = new Map<string, Tile>();
    const me = this.myUserId() ?? '';
    const tile = (peerId: string, userId: string, self: boolean) => {
      let t = tiles.get(peerId);
      if (!t) tiles.set(peerId, (t = { peerId, userId, self, camera: null, screen: null, audio: null, micPaused: false, quality: null, framesDecoded: 0, screenFrames: 0, audioPackets: 0 }));
      return t;
    };
    const self = tile(this.peerId, me, true);
    const cam = this.tracks.get('camera');
    if (cam && this.producers.has('camera')) self.camera = new MediaStream([cam]);
    const scr = this.tracks.get('screen');
    if (scr && this.producers.has('screen')) self.screen = new MediaStream([scr]);
    self.micPaused = !this.mic();
    self.quality = this.selfStats.quality;
    for (const r of this.remotes.values()) {
      const t = tile(r.info.peerId, r.info.userId, false);
      const stream = new MediaStream([r.consumer.track]);
      const extra = r as Remote & { frames?: number; packets?: number };
      if (r.info.source === 'camera') {
        t.camera = stream;
        t.framesDecoded = extra.frames ?? 0;
      } else if (r.info.source === 'screen') {
        t.screen = stream;
        t.screenFrames = extra.frames ?? 0;
      } else if (r.info.source === 'mic') {
        t.audio = stream;
        t.micPaused = r.info.producerPaused;
        t.audioPackets = extra.packets ?? 0;
      }
      t.quality = this.quality.get(`rx:${r.info.peerId}`) ?? this.quality.get(r.info.peerId) ?? null;
    }
    // Keep stream objects stable between renders when nothing changed, so <video> elements do not restart.
    const previous = new Map(this.tiles().map((t) => [t.peerId, t]));
    for (const t of tiles.values()) {
      const old = previous.get(t.peerId);
      if (!old) continue;
      if (sameTrack(old.camera, t.camera)) t.camera = old.camera;
      if (sameTrack(old.screen, t.screen)) t.screen = old.screen;
      if (sameTrack(old.audio, t.audio)) t.audio = old.audio;
    }
    this.tiles.set([...tiles.values()]);
  }

  async setPolicy(studentScreenShare: boolean) {
    this.policy.set(await this.call<MediaPolicy>(MediaEvents.policy, { studentScreenShare }));
  }

  close() {
    this.closed = true;
    clearTimeout(this.retryTimer);
    if (this.statsTimer) clearInterval(this.statsTimer);
    this.teardownLocal();
    for (const t of this.tracks.values()) t.stop();
    this.tracks.clear();
    void this.call(MediaEvents.leave, {}).catch(() => undefined);
  }
}

function sameTrack(a: MediaStream | null, b: MediaStream | null) {
  return !!a && !!b && a.getTracks()[0] === b.getTracks()[0];
}

/** What a person should read when their camera, microphone or screen cannot be used. */
export function describeMediaError(e: unknown, source: MediaSource): string {
  const what = source === 'mic' ? 'microphone' : source === 'camera' ? 'camera' : 'screen';
  const name = (e as { name?: string })?.name;
  if (name === 'NotAllowedError' || name === 'SecurityError') {
    const feature = source === 'mic' ? 'microphone' : source === 'camera' ? 'camera' : 'display-capture';
    if (inFrame() && frameRefuses(feature)) {
      return `Your LMS does not let Lectern use the ${what} inside the course page. Click "Own window" at the top: the class opens in its own window, where it can.`;
    }
    return source === 'screen'
      ? 'Screen sharing was cancelled or blocked by the browser.'
      : `Your browser blocked the ${what}. Allow it for this site (the camera icon in the address bar), then try again.`;
  }
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return `No ${what} was found. Plug one in, or pick another in the device list.`;
  if (name === 'NotReadableError') return `The ${what} is in use by another application.`;
  const code = (e as { code?: string })?.code;
  if (code === 'SCREEN_SHARE_FORBIDDEN') return 'The instructor has not allowed students to share their screen.';
  return `The ${what} could not start: ${(e as Error)?.message ?? e}`;
}
