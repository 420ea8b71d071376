import { describe, expect, it } from 'vitest';
import { hasRoom, MediaHostReport, placePeer, SpreadLimits } from './host-placement';

const NOW = 1_000_000;
const host = (instanceId: string, over: Partial<MediaHostReport> = {}): MediaHostReport => ({
  instanceId,
  state: 'active',
  consumers: 0,
  capacity: 100,
  cpu: 0,
  rooms: 0,
  peers: 0,
  at: NOW - 100,
  ...over,
});
const limits: SpreadLimits = { spreadAt: 0.8, peersPerHost: 0 };
const place = (
  classHosts: string[],
  hosts: MediaHostReport[],
  classPeers: Record<string, number> = {},
  l: SpreadLimits = limits,
) =>
  placePeer({ classHosts, classPeers: new Map(Object.entries(classPeers)), hosts, now: NOW, staleMs: 1500, limits: l });

describe('a class spread over media hosts (placement of one more person)', () => {
  it('keeps people on the class host while it has room', () => {
    expect(place(['a'], [host('a', { consumers: 79 }), host('b')])).toBe('a');
  });

  it('spreads to the least-loaded other host once the class host reaches MEDIA_SPREAD_AT', () => {
    const hosts = [host('a', { consumers: 80 }), host('b', { cpu: 0.5 }), host('c', { cpu: 0.2 })];
    expect(place(['a'], hosts)).toBe('c');
    // CPU counts like consumers: a host busy with something else is full too.
    expect(place(['a'], [host('a', { cpu: 0.85 }), host('b')])).toBe('b');
  });

  it('fills the hosts the class is already on, in order, before a new one (fewer pipes)', () => {
    const hosts = [host('a', { consumers: 90 }), host('b', { consumers: 50 }), host('c')];
    expect(place(['a', 'b'], hosts)).toBe('b');
  });

  it('counts the peers of the class itself as soon as they join, before the next load report', () => {
    const l = { spreadAt: 0.8, peersPerHost: 2 };
    expect(place(['a'], [host('a', { peers: 0 }), host('b')], { a: 1 }, l)).toBe('a');
    expect(place(['a'], [host('a', { peers: 0 }), host('b')], { a: 2 }, l)).toBe('b');
    // And the host's own report (other classes' peers) as well.
    expect(place(['a'], [host('a', { peers: 5 }), host('b')], { a: 1 }, l)).toBe('b');
  });

  it('never spreads to a cordoned, draining or silent host', () => {
    const full = host('a', { consumers: 100 });
    expect(
      place(
        ['a'],
        [full, host('b', { state: 'cordoned' }), host('c', { state: 'draining' }), host('d', { at: NOW - 5000 })],
      ),
    ).toBe('a');
  });

  it('overloads the class host rather than refuse a person when no host has room', () => {
    const hosts = [host('a', { consumers: 100 }), host('b', { consumers: 95 }), host('c', { consumers: 99 })];
    expect(place(['a', 'c'], hosts)).toBe('c');
  });

  it('moves people of a drained class host to another host, and answers null when no host is usable', () => {
    expect(place(['a'], [host('a', { state: 'draining' }), host('b', { consumers: 90 })])).toBe('b');
    expect(place(['a'], [host('a', { state: 'draining' })])).toBeNull();
    expect(place([], [])).toBeNull();
  });

  it('hasRoom: load under MEDIA_SPREAD_AT and peers under MEDIA_PEERS_PER_HOST (0: no count limit)', () => {
    expect(hasRoom(host('a', { consumers: 79 }), 0, limits)).toBe(true);
    expect(hasRoom(host('a', { consumers: 80 }), 0, limits)).toBe(false);
    expect(hasRoom(host('a', { peers: 10_000 }), 0, limits)).toBe(true);
    expect(hasRoom(host('a'), 3, { spreadAt: 0.8, peersPerHost: 3 })).toBe(false);
  });
});
