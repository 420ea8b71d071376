import type { MediaSource } from '@contracts/media';

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
}

/** A stream we receive from someone else. */
export interface ReceivedTrack {
  peerId: string;
  userId: string;
  source: MediaSource;
  track: MediaStreamTrack;
  producerPaused: boolean;
}

/** Everything the tiles are made of. */
export interface TileSources {
  self: { peerId: string; userId: string; micOn: boolean; quality: number | null };
  /** The camera and screen tracks we are sending (absent when not sending). */
  sending: { camera?: MediaStreamTrack; screen?: MediaStreamTrack };
  received: Iterable<ReceivedTrack>;
  quality(peerId: string): number | null;
}

/**
 * The tiles: ours first, then one per person we receive something from. A stream object from the
 * previous tiles is kept when it carries the same track, so <video> elements do not restart.
 */
export function buildTiles(
  from: TileSources,
  previous: readonly Tile[],
  streamOf: (track: MediaStreamTrack) => MediaStream,
): Tile[] {
  const tiles = new Map<string, Tile>();
  const tile = (peerId: string, userId: string, self: boolean) => {
    let t = tiles.get(peerId);
    if (!t)
      tiles.set(
        peerId,
        (t = { peerId, userId, self, camera: null, screen: null, audio: null, micPaused: false, quality: null }),
      );
    return t;
  };
  const self = tile(from.self.peerId, from.self.userId, true);
  if (from.sending.camera) self.camera = streamOf(from.sending.camera);
  if (from.sending.screen) self.screen = streamOf(from.sending.screen);
  self.micPaused = !from.self.micOn;
  self.quality = from.self.quality;
  for (const r of from.received) {
    const t = tile(r.peerId, r.userId, false);
    const stream = streamOf(r.track);
    if (r.source === 'camera') t.camera = stream;
    else if (r.source === 'screen') t.screen = stream;
    else if (r.source === 'mic') {
      t.audio = stream;
      t.micPaused = r.producerPaused;
    }
    t.quality = from.quality(r.peerId);
  }
  const before = new Map(previous.map((t) => [t.peerId, t]));
  for (const t of tiles.values()) {
    const old = before.get(t.peerId);
    if (!old) continue;
    if (sameTrack(old.camera, t.camera)) t.camera = old.camera;
    if (sameTrack(old.screen, t.screen)) t.screen = old.screen;
    if (sameTrack(old.audio, t.audio)) t.audio = old.audio;
  }
  return [...tiles.values()];
}

function sameTrack(a: MediaStream | null, b: MediaStream | null): boolean {
  return !!a && !!b && a.getTracks()[0] === b.getTracks()[0];
}
