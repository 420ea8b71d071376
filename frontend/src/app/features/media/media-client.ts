import { Signal, signal } from '@angular/core';
import {
  ConsumerInfo,
  MediaEvents,
  MediaPayload,
  MediaPolicy,
  MediaServerEvents,
  MediaServerPayloads,
  MediaSource,
  ProducerInfo,
  TransportInfo,
} from '@contracts/media';
import { spatialLayerFor } from '@media-domain/quality';
import { Device, types } from 'mediasoup-client';
import { RoomSocket } from '../../core/room-socket.service';
import { safeStorage } from '../../core/safe-storage';
import { CaptureSource, InputKind, MediaDevicesChoice } from './devices';
import { LocalMedia } from './local-media';
import { joinFailed, receiveFailed } from './media-messages';
import { initialRecovery, MediaConnectionState, nextRecovery, RecoveryInput, RecoveryModel } from './media-recovery';
import { MediaSignalling } from './media-signalling';
import { MediaStatsBook, PeerReceiveCounters, selectedRoute } from './media-stats';
import { buildTiles, Tile } from './tile-view-model';

export type { Tile } from './tile-view-model';

type Remote = { consumer: types.Consumer; info: ConsumerInfo; layer: number | null };
type IceOptions = { iceServers: RTCIceServer[]; iceTransportPolicy: RTCIceTransportPolicy };

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
 * layers; screen), and a consumer for each producer of everyone else. It recovers by itself (the rules
 * are in media-recovery.ts): ICE restart when the network blips, a full rejoin when that fails or the
 * server asks (a worker died).
 */
export class MediaClient {
  readonly tiles = signal<Tile[]>([]);
  readonly activeSpeaker = signal<string | null>(null);
  readonly state = signal<MediaConnectionState>('idle');
  readonly error = signal<string | null>(null);
  readonly policy = signal<MediaPolicy>({
    studentScreenShare: false,
    micLocked: false,
    cameraLocked: false,
    unmuteAllowed: [],
    cameraStopped: [],
  });
  /** How our media travels: 'host' (direct), 'srflx'/'prflx' (through NAT), 'relay' (through TURN). */
  readonly route = signal<string | null>(null);
  readonly devices = new MediaDevicesChoice();
  readonly mic: Signal<boolean>;
  readonly camera: Signal<boolean>;
  readonly screen: Signal<boolean>;

  private readonly signalling: MediaSignalling;
  /** What we send. */
  private readonly local: LocalMedia;
  private readonly peerId = tabPeerId();
  private readonly stats = new MediaStatsBook();
  private recovery: RecoveryModel = initialRecovery;
  private device: Device | null = null;
  private send: types.Transport | null = null;
  private recv: types.Transport | null = null;
  private readonly remotes = new Map<string, Remote>();
  private readonly transports = new Map<string, types.Transport>();
  private statsTimer: ReturnType<typeof setInterval> | null = null;
  private readonly iceTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private starting: Promise<void> | null = null;
  private closed = false;
  /** Producers announced before our receive transport existed. */
  private readonly early = new Map<string, ProducerInfo>();
  private retryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    room: RoomSocket,
    private readonly myUserId: () => string | null,
  ) {
    const s = (this.signalling = new MediaSignalling(room));
    this.local = new LocalMedia(
      {
        signalling: s,
        error: this.error,
        sendTransport: () => (this.device ? this.send : null),
        sendableCodecs: () => this.device?.rtpCapabilities.codecs ?? [],
        changed: () => this.render(),
      },
      this.devices,
    );
    this.mic = this.local.mic;
    this.camera = this.local.camera;
    this.screen = this.local.screen;
    s.on(MediaServerEvents.producerAdded, (p) => void this.consume(p));
    s.on(MediaServerEvents.consumerClosed, ({ consumerId }) => this.dropConsumer(consumerId));
    s.on(MediaServerEvents.producerClosed, (p) => {
      this.early.delete(p.producerId);
      if (p.peerId === this.peerId) this.local.closedByServer(p);
    });
    s.on(MediaServerEvents.producerPaused, (p) => this.producerPaused(p));
    s.on(MediaServerEvents.activeSpeaker, ({ peerId }) => this.activeSpeaker.set(peerId));
    s.on(MediaServerEvents.quality, ({ peerId, score }) => {
      this.stats.serverScore(peerId, score);
      this.render();
    });
    s.on(MediaServerEvents.policyChanged, (p) => this.policy.set(p));
    s.on(MediaServerEvents.rejoin, () => void this.rejoin());
    s.on(MediaServerEvents.videoCodec, ({ mimeType }) => void this.local.switchVideoCodec(mimeType));
  }

  /** Joins the class's media (after every room join). Receiving starts at once; sending when asked. */
  start(): Promise<void> {
    this.starting ??= this.connect().finally(() => (this.starting = null));
    return this.starting;
  }

  /** Frames decoded and audio packets received per person: for diagnostics (and the browser tests), not shown. */
  receiveCounters(): PeerReceiveCounters[] {
    return this.stats.receiveCounters();
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    this.recover({ type: 'join-started' });
    try {
      const joined = await this.signalling.request(MediaEvents.join, { peerId: this.peerId });
      this.policy.set(joined.policy);
      if (joined.resumed && this.send && this.recv && !this.send.closed && !this.recv.closed) {
        // The server kept our transports through the blip: nothing to rebuild.
        this.recover({ type: 'joined', resumed: true });
        return;
      }
      this.teardownLocal();
      const device = new Device();
      await device.load({ routerRtpCapabilities: joined.routerRtpCapabilities as types.RtpCapabilities });
      this.device = device;
      const rtpCapabilities = device.rtpCapabilities as MediaPayload<typeof MediaEvents.ready>['rtpCapabilities'];
      const ready = await this.signalling.request(MediaEvents.ready, { rtpCapabilities });
      const ice = { iceServers: joined.iceServers, iceTransportPolicy: joined.iceTransportPolicy };
      this.send = this.transport(
        'send',
        await this.signalling.request(MediaEvents.createTransport, { direction: 'send' }),
        ice,
      );
      this.recv = this.transport(
        'recv',
        await this.signalling.request(MediaEvents.createTransport, { direction: 'recv' }),
        ice,
      );
      this.activeSpeaker.set(ready.activeSpeaker);
      // What we were sending before a rebuild goes out again.
      await this.local.sendAgain(ready.videoCodec);
      const announced = [...this.early.values()];
      this.early.clear();
      await Promise.all(
        [
          ...ready.producers,
          ...announced.filter((a) => !ready.producers.some((p) => p.producerId === a.producerId)),
        ].map((p) => this.consume(p)),
      );
      this.statsTimer ??= setInterval(() => void this.sampleStats(), 2000);
      this.recover({ type: 'joined', resumed: false });
      void this.devices.refresh();
    } catch (e) {
      this.recover({ type: 'join-failed' });
      this.error.set(joinFailed(e));
    }
  }

  /** Feeds the recovery rules and carries out what they decide. */
  private recover(input: RecoveryInput): void {
    const { model, actions } = nextRecovery(this.recovery, input);
    this.recovery = model;
    this.state.set(model.state);
    for (const a of actions) {
      switch (a.type) {
        case 'cancel-transport-timer':
          clearTimeout(this.iceTimers.get(a.transportId));
          break;
        case 'restart-ice':
          this.iceTimers.set(
            a.transportId,
            setTimeout(() => void this.restartIce(a.transportId), a.afterMs),
          );
          break;
        case 'check-ice':
          this.iceTimers.set(
            a.transportId,
            setTimeout(() => {
              const t = this.transports.get(a.transportId);
              if (t) this.recover({ type: 'ice-check', transportId: t.id, connection: t.connectionState });
            }, a.afterMs),
          );
          break;
        case 'rejoin':
          void this.rejoin();
          break;
        case 'retry-join':
          clearTimeout(this.retryTimer);
          this.retryTimer = setTimeout(() => void this.rejoin(), a.afterMs);
          break;
        case 'clear-error':
          this.error.set(null);
          break;
      }
    }
  }

  private async restartIce(transportId: string): Promise<void> {
    const t = this.transports.get(transportId);
    if (!t) return;
    try {
      const { iceParameters } = await this.signalling.request(MediaEvents.restartIce, { transportId });
      await t.restartIce({ iceParameters: iceParameters as types.IceParameters });
      this.recover({ type: 'ice-restarted', transportId });
    } catch {
      this.recover({ type: 'ice-restart-failed', transportId });
    }
  }

  private transport(direction: 'send' | 'recv', info: TransportInfo, ice: IceOptions): types.Transport {
    const options = { ...(info as unknown as types.TransportOptions), ...ice };
    const t =
      direction === 'send' ? this.device!.createSendTransport(options) : this.device!.createRecvTransport(options);
    type Dtls = MediaPayload<typeof MediaEvents.connectTransport>['dtlsParameters'];
    t.on('connect', ({ dtlsParameters }, done, fail) => {
      this.signalling
        .request(MediaEvents.connectTransport, { transportId: t.id, dtlsParameters: dtlsParameters as Dtls })
        .then(() => done(), fail);
    });
    if (direction === 'send') {
      type Rtp = MediaPayload<typeof MediaEvents.produce>['rtpParameters'];
      t.on('produce', ({ kind, rtpParameters, appData }, done, fail) => {
        const source = appData['source'] as MediaSource;
        this.signalling
          .request(MediaEvents.produce, { transportId: t.id, kind, source, rtpParameters: rtpParameters as Rtp })
          .then(({ producerId }) => done({ id: producerId }), fail);
      });
    }
    t.on('connectionstatechange', (connection) =>
      this.recover({ type: 'transport-state', transportId: t.id, connection }),
    );
    this.transports.set(t.id, t);
    return t;
  }

  /** Everything local dropped, then joined again (the server's peer goes with a media:leave). */
  async rejoin(): Promise<void> {
    this.teardownLocal();
    await this.signalling.request(MediaEvents.leave, {}).catch(() => undefined);
    await this.start();
  }

  private teardownLocal() {
    for (const t of this.iceTimers.values()) clearTimeout(t);
    this.iceTimers.clear();
    for (const r of this.remotes.values()) r.consumer.close();
    this.remotes.clear();
    this.stats.forgetConsumers();
    this.local.closeProducers();
    this.send?.close();
    this.recv?.close();
    this.send = this.recv = null;
    this.transports.clear();
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
      const info = await this.signalling.request(MediaEvents.consume, { producerId: p.producerId });
      const consumer = await this.recv.consume({
        id: info.consumerId,
        producerId: info.producerId,
        kind: info.kind,
        rtpParameters: info.rtpParameters as types.RtpParameters,
      });
      this.remotes.set(consumer.id, { consumer, info, layer: null });
      consumer.on('trackended', () => this.dropConsumer(consumer.id));
      await this.signalling.request(MediaEvents.resumeConsumer, { consumerId: consumer.id });
      if (p.paused) this.stats.assumeClean(p.peerId);
      this.render();
    } catch (e) {
      if ((e as { code?: string }).code !== 'PRODUCER_NOT_FOUND') this.error.set(receiveFailed(e));
    }
  }

  private dropConsumer(consumerId: string) {
    const r = this.remotes.get(consumerId);
    if (!r) return;
    r.consumer.close();
    this.remotes.delete(consumerId);
    this.stats.forgetConsumer(consumerId);
    this.render();
  }

  private producerPaused(p: MediaServerPayloads[typeof MediaServerEvents.producerPaused]) {
    if (p.peerId === this.peerId) this.local.pausedByServer(p);
    for (const r of this.remotes.values()) if (r.info.producerId === p.producerId) r.info.producerPaused = p.paused;
    this.render();
  }

  /** The viewer's tile for a peer is this high: receive the simulcast layer that fills it, no more. */
  tileSize(peerId: string, heightPx: number): void {
    const layer = spatialLayerFor(heightPx, window.devicePixelRatio || 1);
    for (const r of this.remotes.values()) {
      if (r.info.peerId !== peerId || r.info.source !== 'camera' || r.layer === layer) continue;
      r.layer = layer;
      void this.signalling
        .request(MediaEvents.setLayers, { consumerId: r.consumer.id, spatialLayer: layer })
        .catch(() => undefined);
    }
  }

  /** getStats of what we receive (per person), of the route our media takes, and of what we send (our own tile). */
  private async sampleStats() {
    for (const r of this.remotes.values()) {
      const report = await r.consumer.getStats().catch(() => null);
      if (report) this.stats.recordInbound(r.consumer.id, r.info, report);
    }
    for (const t of [this.recv, this.send]) {
      const report = t && t.connectionState === 'connected' ? await t.getStats().catch(() => null) : null;
      const selected = report ? selectedRoute(report) : null;
      if (selected) {
        this.route.set(selected.route);
        break;
      }
    }
    if (this.send && this.local.producing) {
      const report = await this.send.getStats().catch(() => null);
      this.stats.recordOutbound(report ?? new Map());
    }
    this.render();
  }

  /** Rebuilds the tiles from producers and consumers (cheap: a handful per person). */
  private render() {
    const sources = {
      self: { peerId: this.peerId, userId: this.myUserId() ?? '', micOn: this.mic(), quality: this.stats.selfQuality },
      sending: { camera: this.local.sending('camera'), screen: this.local.sending('screen') },
      received: [...this.remotes.values()].map((r) => ({
        peerId: r.info.peerId,
        userId: r.info.userId,
        source: r.info.source,
        track: r.consumer.track,
        producerPaused: r.info.producerPaused,
      })),
      quality: (peerId: string) => this.stats.quality(peerId),
    };
    this.tiles.set(buildTiles(sources, this.tiles(), (track) => new MediaStream([track])));
  }

  /** The person's own toggles: acquire (or release) the device and start (or stop) sending it. */
  toggle(source: CaptureSource): Promise<void> {
    return this.local.toggle(source);
  }

  /** The person picked a microphone or camera: remembered, and sent at once if that source is on. */
  chooseDevice(kind: InputKind, deviceId: string): Promise<void> {
    return this.local.chooseDevice(kind, deviceId);
  }

  async setPolicy(studentScreenShare: boolean) {
    this.policy.set(await this.signalling.request(MediaEvents.policy, { studentScreenShare }));
  }

  close() {
    this.closed = true;
    clearTimeout(this.retryTimer);
    if (this.statsTimer) clearInterval(this.statsTimer);
    this.teardownLocal();
    this.local.release();
    void this.signalling.request(MediaEvents.leave, {}).catch(() => undefined);
  }
}
