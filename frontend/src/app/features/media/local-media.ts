import { signal, WritableSignal } from '@angular/core';
import { MediaEvents, MediaServerEvents, MediaServerPayloads, MediaSource } from '@contracts/media';
import { cameraEncodings, opusSenderOptions } from '@media-domain/codecs';
import { types } from 'mediasoup-client';
import { CaptureSource, InputKind, MediaDevicesChoice } from './devices';
import { describeMediaError, deviceReplaced, stoppedByTeacher } from './media-messages';
import { MediaRequestError, MediaSignalling } from './media-signalling';

/** What our own media needs from the client around it. */
export interface LocalMediaHost {
  readonly signalling: MediaSignalling;
  readonly error: WritableSignal<string | null>;
  /** The send transport, while one exists. */
  sendTransport(): types.Transport | null;
  /** The codecs this browser's Device can send. */
  sendableCodecs(): types.RtpCodecCapability[];
  /** Something we send changed: the tiles are rebuilt. */
  changed(): void;
}

/**
 * What this browser sends: the tracks it captured (kept through a rebuild, so they go out again), the
 * producers sending them, the person's toggles and device choices, and the class's video codec.
 */
export class LocalMedia {
  readonly mic = signal(false);
  readonly camera = signal(false);
  readonly screen = signal(false);
  private readonly producers = new Map<MediaSource, types.Producer>();
  private readonly tracks = new Map<MediaSource, MediaStreamTrack>();
  /** The class's video codec (VP8 unless someone cannot decode it). */
  private videoCodec = 'video/VP8';

  constructor(
    private readonly host: LocalMediaHost,
    readonly devices: MediaDevicesChoice,
  ) {}

  /** The track we are sending from a source, if we are. */
  sending(source: MediaSource): MediaStreamTrack | undefined {
    return this.producers.has(source) ? this.tracks.get(source) : undefined;
  }

  get producing(): boolean {
    return this.producers.size > 0;
  }

  /** After the transports were built again: what we were sending goes out again. */
  async sendAgain(videoCodec: string): Promise<void> {
    this.videoCodec = videoCodec;
    for (const [source, track] of [...this.tracks]) if (track.readyState === 'live') await this.produce(source, track);
  }

  /** The transports go: our producers with them (the tracks stay, to be sent again). */
  closeProducers(): void {
    for (const p of this.producers.values()) p.close();
    this.producers.clear();
  }

  /** Leaving: the devices are released too. */
  release(): void {
    this.closeProducers();
    for (const t of this.tracks.values()) t.stop();
    this.tracks.clear();
  }

  /** The instructor (or the class's policy) stopped one of our sources; anything else closing ours (a
   * worker restarting, the class moving) is followed by a rejoin that sends it again. */
  closedByServer(p: MediaServerPayloads[typeof MediaServerEvents.producerClosed]): void {
    if (!p.byTeacher) return;
    const producer = this.producers.get(p.source);
    if (producer?.id !== p.producerId) return;
    producer.close();
    this.producers.delete(p.source);
    this.tracks.get(p.source)?.stop();
    this.tracks.delete(p.source);
    this.flags();
    this.host.error.set(stoppedByTeacher(p.source));
  }

  /** The instructor muted us. */
  pausedByServer(p: MediaServerPayloads[typeof MediaServerEvents.producerPaused]): void {
    const mic = this.producers.get('mic');
    if (mic?.id === p.producerId && p.paused && !mic.paused) {
      mic.pause();
      this.mic.set(false);
    }
  }

  /** The person's own toggles: acquire (or release) the device and start (or stop) sending it. */
  async toggle(source: CaptureSource): Promise<void> {
    this.host.error.set(null);
    const producer = this.producers.get(source);
    if (source === 'mic' && producer) {
      // Muting keeps the producer (unmute is instant) and pauses it in the SFU too.
      const paused = !producer.paused;
      if (paused) producer.pause();
      else producer.resume();
      const refused = await this.host.signalling
        .request(MediaEvents.pauseProducer, { producerId: producer.id, paused })
        .then(
          () => null,
          (e: unknown) => e,
        );
      // Microphones locked by the instructor: the SFU kept it paused, so does this page (ask to unmute).
      if (!paused && refused instanceof MediaRequestError && refused.code === 'MIC_LOCKED') {
        producer.pause();
        this.host.error.set(refused.message);
      }
      this.flags();
      return;
    }
    if (producer) return this.stop(source);
    try {
      const track = await this.devices.capture(source);
      this.tracks.set(source, track);
      await this.produce(source, track);
    } catch (e) {
      this.tracks.get(source)?.stop();
      this.tracks.delete(source);
      this.host.error.set(describeMediaError(e, source));
    }
    this.flags();
  }

  /** The person picked a microphone or camera: remembered, and sent at once if that source is on. */
  async chooseDevice(kind: InputKind, deviceId: string): Promise<void> {
    this.devices.choose(kind, deviceId);
    const source = kind === 'audioinput' ? 'mic' : 'camera';
    const producer = this.producers.get(source);
    if (!producer) return;
    try {
      const track = await this.devices.capture(source);
      this.tracks.get(source)?.stop();
      this.tracks.set(source, track);
      track.addEventListener('ended', () => void this.trackEnded(source, track));
      await producer.replaceTrack({ track });
    } catch (e) {
      this.host.error.set(describeMediaError(e, source));
    }
  }

  /** The class switched video codec: send camera and screen again in it (the old producers close). */
  async switchVideoCodec(mimeType: string): Promise<void> {
    this.videoCodec = mimeType;
    for (const source of ['camera', 'screen'] as const) {
      const producer = this.producers.get(source);
      const track = this.tracks.get(source);
      if (!producer || !track || producer.rtpParameters.codecs[0]?.mimeType.toLowerCase() === mimeType.toLowerCase())
        continue;
      producer.close();
      this.producers.delete(source);
      await this.host.signalling.request(MediaEvents.closeProducer, { producerId: producer.id }).catch(() => undefined);
      await this.produce(source, track).catch((e) => this.host.error.set(describeMediaError(e, source)));
    }
  }

  private async produce(source: MediaSource, track: MediaStreamTrack): Promise<void> {
    const send = this.host.sendTransport();
    if (!send) return;
    const video = this.videoCodecCapability();
    const producer = await send.produce({
      track,
      appData: { source },
      stopTracks: false,
      ...(source === 'mic' ? { codecOptions: opusSenderOptions } : {}),
      ...(source === 'camera'
        ? {
            encodings: cameraEncodings.map((e) => ({ ...e })),
            codec: video,
            codecOptions: { videoGoogleStartBitrate: 1000 },
          }
        : {}),
      ...(source === 'screen' ? { codec: video, encodings: [{ maxBitrate: 2_500_000 }] } : {}),
    });
    this.producers.set(source, producer);
    track.addEventListener('ended', () => void this.trackEnded(source, track));
    this.host.changed();
  }

  /** The sender codec capability for the class's video codec (H.264: constrained baseline first), or the device's first. */
  private videoCodecCapability(): types.RtpCodecCapability | undefined {
    const codecs = this.host.sendableCodecs();
    const want = this.videoCodec.toLowerCase();
    const matching = codecs.filter((c) => c.mimeType.toLowerCase() === want);
    return (
      matching.find((c) => String(c.parameters?.['profile-level-id'] ?? '').startsWith('42e0')) ??
      matching[0] ??
      codecs.find((c) => c.kind === 'video' && !/rtx/i.test(c.mimeType))
    );
  }

  private async stop(source: MediaSource) {
    const producer = this.producers.get(source);
    this.producers.delete(source);
    this.tracks.get(source)?.stop();
    this.tracks.delete(source);
    if (producer) {
      producer.close();
      await this.host.signalling.request(MediaEvents.closeProducer, { producerId: producer.id }).catch(() => undefined);
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
      const next = await this.devices.captureDefault(source);
      this.tracks.set(source, next);
      next.addEventListener('ended', () => void this.trackEnded(source, next));
      await producer?.replaceTrack({ track: next });
      this.host.error.set(deviceReplaced(source, next.label));
    } catch (e) {
      await this.stop(source);
      this.host.error.set(describeMediaError(e, source));
    }
    void this.devices.refresh();
  }

  private flags() {
    const mic = this.producers.get('mic');
    this.mic.set(!!mic && !mic.paused);
    this.camera.set(this.producers.has('camera'));
    this.screen.set(this.producers.has('screen'));
    this.host.changed();
    this.host.signalling.announce({ camera: this.camera(), mic: this.mic() });
  }
}
