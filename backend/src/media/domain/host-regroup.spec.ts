import { describe, expect, it } from 'vitest';
import type { MediaHostReport, SpreadLimits } from './host-placement';
import { classMain, decideRegroup, projectedLoad, RegroupInput } from './host-regroup';

const NOW = 1_000_000;
const host = (instanceId: string, over: Partial<MediaHostReport> = {}): MediaHostReport => ({
  instanceId,
  state: 'active',
  consumers: 0,
  capacity: 100,
  cpu: 0,
  rooms: 1,
  peers: 0,
  at: NOW - 100,
  ...over,
});
const settings = { regroupAt: 0.75, settleMs: 30_000, quietMs: 10_000 };
const byPeers: SpreadLimits = { spreadAt: 0.8, peersPerHost: 8 };

/** A class of `peers` (host → count), its owner `a`, settled and quiet unless told. */
const input = (peers: Record<string, number>, hosts: MediaHostReport[], over: Partial<RegroupInput> = {}) =>
  ({
    owner: 'a',
    classPeers: new Map(Object.entries(peers)),
    hosts,
    now: NOW,
    staleMs: 1500,
    limits: byPeers,
    settings,
    fitSince: NOW - 60_000,
    lastJoinAt: NOW - 60_000,
    ...over,
  }) satisfies RegroupInput;

describe('a spread class gathering back onto one media host', () => {
  it('gathers the people of the other hosts onto the main one when the class fits with room to spare', () => {
    const d = decideRegroup(
      input({ a: 3, b: 2, c: 1 }, [host('a', { peers: 3 }), host('b', { peers: 2 }), host('c', { peers: 1 })]),
    );
    expect(d).toEqual({ kind: 'regroup', main: 'a', move: ['b', 'c'] });
  });

  it('does nothing for a class on one host (or on none)', () => {
    expect(decideRegroup(input({ a: 3 }, [host('a', { peers: 3 }), host('b')]))).toEqual({
      kind: 'single',
      main: 'a',
    });
    expect(decideRegroup(input({ b: 0 }, [host('a')], { owner: null }))).toEqual({ kind: 'single', main: null });
  });

  it('moves nobody while the class does not fit: at the spread threshold it is too big', () => {
    // 8 people with MEDIA_PEERS_PER_HOST=8: gathered, the next join would spread it again.
    const hosts = [host('a', { peers: 4 }), host('b', { peers: 4 })];
    expect(decideRegroup(input({ a: 4, b: 4 }, hosts))).toMatchObject({ kind: 'hold', reason: 'too-big' });
    // By load: the main host at 0.5 with 2 people would be at 1.0 with 4.
    const loaded = [host('a', { peers: 2, consumers: 50 }), host('b', { peers: 2 })];
    expect(decideRegroup(input({ a: 2, b: 2 }, loaded, { limits: { spreadAt: 0.8, peersPerHost: 0 } }))).toMatchObject({
      kind: 'hold',
      reason: 'too-big',
    });
  });

  it('keeps a band between spreading and regrouping (hysteresis): under the thresholds is not enough', () => {
    // 7 of 8: it fits (placePeer would keep taking people there) but not under 0.75 × 8 = 6.
    const hosts = [host('a', { peers: 5 }), host('b', { peers: 2 })];
    expect(decideRegroup(input({ a: 5, b: 2 }, hosts))).toMatchObject({ kind: 'hold', reason: 'in-band' });
    // 6 of 8: under the band, it gathers.
    const fewer = [host('a', { peers: 5 }), host('b', { peers: 1 })];
    expect(decideRegroup(input({ a: 5, b: 1 }, fewer))).toMatchObject({ kind: 'regroup', move: ['b'] });
    // By load: 0.25 for 2 people, 0.5 for 4: under spreadAt 0.8 but over 0.6 (0.75 × 0.8).
    const byLoad = { limits: { spreadAt: 0.8, peersPerHost: 0 } };
    const mid = [host('a', { peers: 2, consumers: 35 }), host('b', { peers: 2 })];
    expect(decideRegroup(input({ a: 2, b: 2 }, mid, byLoad))).toMatchObject({ kind: 'hold', reason: 'in-band' });
    const light = [host('a', { peers: 2, consumers: 25 }), host('b', { peers: 2 })];
    expect(decideRegroup(input({ a: 2, b: 2 }, light, byLoad))).toMatchObject({ kind: 'regroup' });
  });

  it("counts the main host's other classes: a host busy with them is not gathered onto", () => {
    // The class is 3, but the main host holds 5 more people of other classes: 8 after the move.
    const hosts = [host('a', { peers: 7 }), host('b', { peers: 1 })];
    expect(decideRegroup(input({ a: 2, b: 1 }, hosts))).toMatchObject({ kind: 'hold', reason: 'too-big' });
    // Its CPU too (busy with a recording or another class's screen share).
    const busy = [host('a', { peers: 2, cpu: 0.7 }), host('b', { peers: 1 })];
    expect(decideRegroup(input({ a: 2, b: 1 }, busy))).toMatchObject({ kind: 'hold', reason: 'too-big' });
  });

  it('waits until the class has fit for settleMs, remembering since when (and forgets it once it does not fit)', () => {
    const hosts = [host('a', { peers: 2 }), host('b', { peers: 1 })];
    expect(decideRegroup(input({ a: 2, b: 1 }, hosts, { fitSince: null }))).toEqual({
      kind: 'hold',
      main: 'a',
      reason: 'settling',
      fitSince: NOW,
    });
    expect(decideRegroup(input({ a: 2, b: 1 }, hosts, { fitSince: NOW - 29_999 }))).toMatchObject({
      reason: 'settling',
      fitSince: NOW - 29_999,
    });
    expect(decideRegroup(input({ a: 2, b: 1 }, hosts, { fitSince: NOW - 30_000 }))).toMatchObject({ kind: 'regroup' });
    // Too big again: the clock restarts (fitSince null).
    const big = [host('a', { peers: 4 }), host('b', { peers: 4 })];
    expect(decideRegroup(input({ a: 4, b: 4 }, big, { fitSince: NOW - 30_000 }))).toMatchObject({ fitSince: null });
  });

  it('moves nobody during a storm of joins: the class must be quiet for quietMs', () => {
    const hosts = [host('a', { peers: 2 }), host('b', { peers: 1 })];
    expect(decideRegroup(input({ a: 2, b: 1 }, hosts, { lastJoinAt: NOW - 500 }))).toMatchObject({
      kind: 'hold',
      reason: 'joining',
      fitSince: NOW - 60_000,
    });
    expect(decideRegroup(input({ a: 2, b: 1 }, hosts, { lastJoinAt: NOW - 10_000 }))).toMatchObject({
      kind: 'regroup',
    });
  });

  it('never gathers onto a cordoned main host; a draining or silent owner is not the main host', () => {
    const cordoned = [host('a', { peers: 2, state: 'cordoned' }), host('b', { peers: 1 })];
    expect(decideRegroup(input({ a: 2, b: 1 }, cordoned))).toMatchObject({ kind: 'hold', reason: 'main-not-active' });
    const draining = [host('a', { peers: 2, state: 'draining' }), host('b', { peers: 2 }), host('c', { peers: 1 })];
    expect(decideRegroup(input({ a: 2, b: 2, c: 1 }, draining))).toMatchObject({ kind: 'regroup', main: 'b' });
  });

  it("when the main host is gone, the class's main is the host with most of its people", () => {
    // a (the owner) stopped beating: b holds most, so c's people go to b (and a's, who rejoin anyway).
    const hosts = [host('a', { peers: 3, at: NOW - 5000 }), host('b', { peers: 2 }), host('c', { peers: 1 })];
    expect(decideRegroup(input({ a: 3, b: 2, c: 1 }, hosts))).toEqual({
      kind: 'regroup',
      main: 'b',
      move: ['a', 'c'],
    });
    expect(classMain(input({ a: 3, b: 2, c: 1 }, hosts))).toBe('b');
    // No owner key at all (it expired): the same; ties go to the smaller id, so every host agrees.
    expect(classMain(input({ c: 2, b: 2 }, [host('b'), host('c')], { owner: null }))).toBe('b');
    // An owner that holds none of the class any more (its people left) is not its main host either.
    expect(classMain(input({ a: 0, b: 1, c: 2 }, [host('a'), host('b'), host('c')]))).toBe('c');
    // No live host holds any of it.
    expect(classMain(input({ a: 2 }, [host('a', { at: 0 })]))).toBeNull();
  });

  it('never regroups when MEDIA_REGROUP_AT is 0, even an idle class', () => {
    const hosts = [host('a', { peers: 1 }), host('b', { peers: 1 })];
    const off = { settings: { ...settings, regroupAt: 0 }, limits: { spreadAt: 0.8, peersPerHost: 0 } };
    expect(decideRegroup(input({ a: 1, b: 1 }, hosts, off))).toMatchObject({ kind: 'hold', reason: 'off' });
  });

  it('projects the main host load from its load per person', () => {
    expect(projectedLoad(host('a', { peers: 4, consumers: 40 }), 4, 2)).toBeCloseTo(0.6);
    // A report behind the class's own count: the class's count is used.
    expect(projectedLoad(host('a', { peers: 0, consumers: 20 }), 2, 2)).toBeCloseTo(0.4);
  });
});
