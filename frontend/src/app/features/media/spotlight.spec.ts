import { describe, expect, it } from 'vitest';
import { spotlight } from './spotlight';
import type { Tile } from './tile-view-model';

const stream = {} as MediaStream;
const tile = (peerId: string, userId: string, extra: Partial<Tile> = {}): Tile => ({
  peerId,
  userId,
  self: false,
  camera: null,
  screen: null,
  audio: null,
  micPaused: false,
  quality: null,
  ...extra,
});

const me = tile('p-me', 'u-me', { self: true, camera: stream });
const teacher = tile('p-t', 'u-t', { camera: stream });
const ann = tile('p-a', 'u-a', { camera: stream });
const bob = tile('p-b', 'u-b');
const teachers = new Set(['u-t']);

describe('spotlight', () => {
  it("features the teacher's camera over the student's own tile and the speaker", () => {
    const s = spotlight({ tiles: [me, ann, teacher, bob], pinned: null, activeSpeaker: 'p-a', teachers });
    expect(s.featured?.peerId).toBe('p-t');
    expect(s.others.map((t) => t.peerId)).toEqual(['p-a', 'p-b', 'p-me']);
    expect(spotlight({ tiles: [bob, ann], pinned: null, activeSpeaker: null, teachers }).others).toEqual([bob]);
  });

  it('features a screen share over the teacher, and a pinned tile over everything', () => {
    const share = tile('p-b', 'u-b', { screen: stream });
    expect(spotlight({ tiles: [me, teacher, share], pinned: null, activeSpeaker: null, teachers }).featured).toBe(
      share,
    );
    expect(spotlight({ tiles: [me, teacher, share], pinned: 'p-a', activeSpeaker: null, teachers }).featured).toBe(
      share,
    );
    expect(spotlight({ tiles: [me, teacher, share, ann], pinned: 'p-a', activeSpeaker: null, teachers }).featured).toBe(
      ann,
    );
  });

  it('features the speaker when no teacher is here, and our own tile only when alone', () => {
    expect(spotlight({ tiles: [me, ann, bob], pinned: null, activeSpeaker: 'p-b', teachers }).featured).toBe(bob);
    expect(spotlight({ tiles: [me], pinned: null, activeSpeaker: null, teachers }).featured).toBe(me);
    expect(spotlight({ tiles: [], pinned: null, activeSpeaker: null, teachers })).toEqual({
      featured: null,
      others: [],
    });
  });
});
