import type { types } from 'mediasoup';
import type { MediaPeer, ProducerData } from '../../media/sfu/media-peer';
import type { MediaRoom } from '../../media/sfu/media-room';
import { trackOf, type RunEndReason } from '../domain/capture-policy';
import { ProducerCapture, type CaptureSettings } from './producer-capture';

/** What the recorder tells the class's recording log besides runs: screen shares starting and stopping. */
export interface RecorderMarks {
  screen(sessionId: string, kind: 'screen-start' | 'screen-stop', at: Date, name: string, userId: string): void;
}

/**
 * The recording of one class's media on its host: follows the room's producers (those already there
 * and every new one, on whichever of the class's routers it lives) and gives each recorded one its
 * own supervised capture; a producer that closes ends its capture, the room closing ends them all.
 */
export class RoomRecorder {
  private readonly captures = new Map<string, ProducerCapture>();
  private paused: boolean;
  private stopping: Promise<void> | null = null;

  constructor(
    private readonly room: MediaRoom,
    private readonly settings: CaptureSettings,
    private readonly marks: RecorderMarks,
    paused: boolean,
  ) {
    this.paused = paused;
  }

  get sessionId(): string {
    return this.room.sessionId;
  }

  /** Its captures by producer id (for the service's status and for tests). */
  get active(): ReadonlyMap<string, ProducerCapture> {
    return this.captures;
  }

  /** Starts following (call once): every producer already in the room, then each new one. */
  start(): void {
    for (const peer of this.room.peers.values()) for (const p of peer.producers.values()) this.follow(peer, p);
    this.room.on('producer', this.follow);
    this.room.once('closed', () => void this.stop('room-closed'));
  }

  private readonly follow = (peer: MediaPeer, producer: types.Producer<ProducerData>): void => {
    if (this.stopping || producer.closed || this.captures.has(producer.id)) return;
    const { source } = producer.appData;
    const kind = trackOf(source, peer.identity.canTeach);
    if (!kind) return;
    const { userId, name } = peer.identity;
    let router: types.Router;
    try {
      router = this.room.router(peer.workerIndex);
    } catch {
      return; // the room is closing
    }
    const capture = new ProducerCapture(
      {
        sessionId: this.sessionId,
        router,
        producer,
        kind,
        role: peer.identity.canTeach ? 'teacher' : 'student',
        userId,
        name,
      },
      this.settings,
      this.paused,
    );
    this.captures.set(producer.id, capture);
    if (source === 'screen') this.marks.screen(this.sessionId, 'screen-start', new Date(), name, userId);
    producer.observer.once('close', () => {
      if (source === 'screen' && !this.stopping)
        this.marks.screen(this.sessionId, 'screen-stop', new Date(), name, userId);
      void capture.stop('producer-closed').finally(() => {
        if (this.captures.get(producer.id) === capture) this.captures.delete(producer.id);
      });
    });
  };

  async setPaused(paused: boolean): Promise<void> {
    this.paused = paused;
    await Promise.all([...this.captures.values()].map((c) => c.setPaused(paused)));
  }

  /** Ends every capture (idempotent); resolves when their FFmpeg processes have exited and their rows are closed. */
  stop(reason: RunEndReason): Promise<void> {
    this.stopping ??= (async () => {
      this.room.off('producer', this.follow);
      await Promise.all([...this.captures.values()].map((c) => c.stop(reason)));
      this.captures.clear();
    })();
    return this.stopping;
  }
}
