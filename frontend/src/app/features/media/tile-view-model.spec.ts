import { describe, expect, it } from 'vitest';
import { buildTiles, ReceivedTrack, Tile, TileSources } from './tile-view-model';

// Tracks and streams are browser objects: here, plain stand-ins with the one method the tiles read.
const track = (id: string) => ({ id }) as unknown as MediaStreamTrack;
const streamOf = (t: MediaStreamTrack) => ({ getTracks: () => [t] }) as unknown as MediaStream;

function sources(received: ReceivedTrack[], over: Partial<TileSources> = {}): TileSources {
  return {
    self: { peerId: 'me', userId: 'u-me', micOn: true, quality: 9 },
    sending: {},
    received,
    quality: (peerId) => (peerId === 'a' ? 7 : null),
    ...over,
  };
}

describe('buildTiles', () => {
  it('makes our tile first, then one per person with their camera, screen and voice', () => {
    const cam = track('cam-a');
    const voice = track('mic-a');
    const tiles = buildTiles(
      sources([
        { peerId: 'a', userId: 'u-a', source: 'camera', track: cam, producerPaused: false },
        { peerId: 'a', userId: 'u-a', source: 'mic', track: voice, producerPaused: true },
        { peerId: 'b', userId: 'u-b', source: 'screen', track: track('scr-b'), producerPaused: false },
      ]),
      [],
      streamOf,
    );
    expect(tiles.map((t) => [t.peerId, t.self])).toEqual([
      ['me', true],
      ['a', false],
      ['b', false],
    ]);
    const [me, a, b] = tiles;
    expect(me).toMatchObject({ userId: 'u-me', camera: null, screen: null, micPaused: false, quality: 9 });
    expect(a.camera?.getTracks()[0]).toBe(cam);
    expect(a.audio?.getTracks()[0]).toBe(voice);
    expect(a).toMatchObject({ micPaused: true, quality: 7, screen: null });
    expect(b.screen).not.toBeNull();
    expect(b.quality).toBeNull();
  });

  it('shows our own camera and screen only while we send them, and our mic as paused when off', () => {
    const cam = track('my-cam');
    const [me] = buildTiles(
      sources([], { self: { peerId: 'me', userId: 'u', micOn: false, quality: null }, sending: { camera: cam } }),
      [],
      streamOf,
    );
    expect(me.camera?.getTracks()[0]).toBe(cam);
    expect(me.screen).toBeNull();
    expect(me.micPaused).toBe(true);
  });

  it('keeps the previous stream objects for unchanged tracks, so videos do not restart', () => {
    const cam = track('cam-a');
    const received: ReceivedTrack[] = [
      { peerId: 'a', userId: 'u-a', source: 'camera', track: cam, producerPaused: false },
    ];
    const first = buildTiles(sources(received), [], streamOf);
    const second = buildTiles(sources(received), first, streamOf);
    expect(second[1].camera).toBe(first[1].camera);
    const swapped = buildTiles(sources([{ ...received[0], track: track('cam-a2') }]), second, streamOf);
    expect(swapped[1].camera).not.toBe(first[1].camera);
  });

  it('carries no test counters: a tile is what the person sees', () => {
    const [me] = buildTiles(sources([]), [], streamOf);
    expect(Object.keys(me).sort()).toEqual([
      'audio',
      'camera',
      'micPaused',
      'peerId',
      'quality',
      'screen',
      'self',
      'userId',
    ] satisfies (keyof Tile)[]);
  });
});
