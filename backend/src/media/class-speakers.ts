import { ClassSpeaker, nextClassSpeaker, VoiceReport, withoutSpeaker } from './domain/class-speaker';
import type { ClassSpeakerStore } from './infra/class-speaker-store';
import type { MediaRoom } from './sfu/media-room';

type Voice = Omit<VoiceReport, 'at'>;

export interface ClassSpeakersOptions {
  store: ClassSpeakerStore;
  /** This host's id (a router's reports are filed under `<host>:<worker>`). */
  self(): string;
  room(sessionId: string): MediaRoom | undefined;
  /** The class's other media hosts (none while it is on this host only). */
  otherHosts(sessionId: string): Promise<string[]>;
  /** Tells another host of the class the new speaker (it applies it if newer than what it has). */
  tellHost(host: string, sessionId: string, state: ClassSpeaker): Promise<void>;
  /** Tells every browser of the class, once, whoever decided (the socket server's Redis adapter reaches all instances). */
  toClass(sessionId: string, speaker: ClassSpeaker['speaker']): void;
  warn(message: string): void;
  now?: () => number;
}

/**
 * The class's one active speaker across its media hosts. Each router's audio level observer says which
 * of this host's people it hears and how loud (`heard`); this host files that in Redis beside the other
 * hosts' reports, decides the class's speaker from all of them (domain/class-speaker.ts) and writes it
 * by compare-and-set on its version. The host whose write wins tells the browsers once and the class's
 * other hosts (`classSpeaker` over the host protocol); a host that loses the race was beaten by one that
 * tells it. Every host's room holds the newest version it was told (`MediaRoom.applySpeaker`), which the
 * broadcast, recording and late joiners read. One decision per class at a time on a host; reports that
 * arrive meanwhile are folded into one more round.
 */
export class ClassSpeakers {
  /** What each of this host's routers of a class hears now, and which of them changed since last filed. */
  private readonly heardHere = new Map<string, Map<number, { voices: Voice[]; at: number; filed: boolean }>>();
  private readonly rounds = new Map<string, { again: boolean }>();
  /** People of a class whose microphone closed here since the last round: they leave the floor, their voices go. */
  private readonly gone = new Map<string, Set<string>>();
  private readonly now: () => number;

  constructor(private readonly o: ClassSpeakersOptions) {
    this.now = o.now ?? Date.now;
  }

  /** A router of this host heard these voices (none: silence). */
  heard(sessionId: string, workerIndex: number, voices: Voice[]): void {
    let routers = this.heardHere.get(sessionId);
    if (!routers) this.heardHere.set(sessionId, (routers = new Map()));
    routers.set(workerIndex, { voices, at: this.now(), filed: false });
    this.decide(sessionId);
  }

  /** Someone's microphone closed here: if they held the floor, the class has no speaker until someone is heard. */
  micClosed(sessionId: string, peerId: string): void {
    let gone = this.gone.get(sessionId);
    if (!gone) this.gone.set(sessionId, (gone = new Set()));
    gone.add(peerId);
    this.decide(sessionId);
  }

  /** A room opened here: it starts from the class's speaker as decided so far. */
  async opened(room: MediaRoom): Promise<void> {
    room.applySpeaker(await this.o.store.state(room.sessionId));
  }

  /** Another host decided: applied here if newer. */
  told(sessionId: string, state: ClassSpeaker): void {
    this.o.room(sessionId)?.applySpeaker(state);
  }

  roomClosed(sessionId: string): void {
    this.heardHere.delete(sessionId);
    this.gone.delete(sessionId);
  }

  private decide(sessionId: string): void {
    const running = this.rounds.get(sessionId);
    if (running) {
      running.again = true;
      return;
    }
    const round = { again: true };
    this.rounds.set(sessionId, round);
    void (async () => {
      for (let tries = 0; round.again && tries < 20; tries++) {
        round.again = false;
        const settled = await this.round(sessionId).catch((e: Error) => {
          this.o.warn(`class ${sessionId}: could not decide the active speaker: ${e.message}`);
          return true;
        });
        // Another host wrote first: decided again from what it wrote (a closed microphone must not be lost).
        if (!settled) round.again = true;
      }
      this.rounds.delete(sessionId);
    })();
  }

  /** One decision: this host's reports filed, the class's speaker decided from all, written. False: another host wrote first. */
  private async round(sessionId: string): Promise<boolean> {
    const gone = this.gone.get(sessionId) ?? new Set<string>();
    this.gone.delete(sessionId);
    const routers = this.heardHere.get(sessionId) ?? new Map<number, { voices: Voice[]; at: number; filed: boolean }>();
    if (!this.o.room(sessionId)) return true;
    for (const entry of routers.values()) {
      const kept = entry.voices.filter((v: Voice) => !gone.has(v.peerId));
      if (kept.length === entry.voices.length) continue;
      entry.voices = kept;
      entry.filed = false;
    }
    for (const [workerIndex, entry] of routers) {
      if (entry.filed) continue;
      entry.filed = true;
      await this.o.store.report(sessionId, `${this.o.self()}:${workerIndex}`, entry.voices, entry.at);
    }
    const { reports, state } = await this.o.store.read(sessionId);
    let next = state;
    for (const peerId of gone) next = withoutSpeaker(next, peerId);
    next = nextClassSpeaker(
      next,
      reports.filter((r) => !gone.has(r.peerId)),
      this.now(),
    );
    if (next === state) {
      // Nothing new: catch up with what is stored (a host's message may have been lost).
      this.o.room(sessionId)?.applySpeaker(state);
      return true;
    }
    next = { ...next, version: state.version + 1 };
    if (await this.o.store.compareAndSet(sessionId, state.version, next)) {
      await this.publish(sessionId, state, next);
      return true;
    }
    if (gone.size) {
      const again = this.gone.get(sessionId) ?? new Set<string>();
      for (const p of gone) again.add(p);
      this.gone.set(sessionId, again);
    }
    return false;
  }

  /** This host's write won: applied here; when the speaker changed, the browsers and the other hosts are told. */
  private async publish(sessionId: string, before: ClassSpeaker, next: ClassSpeaker): Promise<void> {
    this.o.room(sessionId)?.applySpeaker(next);
    if (before.speaker?.peerId === next.speaker?.peerId) return;
    this.o.toClass(sessionId, next.speaker);
    const hosts = await this.o.otherHosts(sessionId);
    await Promise.all(
      hosts.map((h) =>
        this.o
          .tellHost(h, sessionId, next)
          .catch((e: Error) => this.o.warn(`class ${sessionId}: host ${h} not told the speaker: ${e.message}`)),
      ),
    );
  }
}
