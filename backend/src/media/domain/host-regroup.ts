/**
 * When a class spread over several media hosts gathers back onto one (the reverse of `placePeer`). Pure;
 * every host of the class runs it on its beat over the same Redis facts, so they agree on which host is
 * the class's main one and which hosts' people move there.
 *
 * Moving a person costs them a media reconnect (their browser is told to rejoin), so a class regroups
 * only when that is clearly worth it and safe:
 * - it would fit on its main host with room to spare: the people after the move, and the main host's
 *   load projected with them, stay under `regroupAt` times the spread thresholds (MEDIA_SPREAD_AT,
 *   MEDIA_PEERS_PER_HOST). That band between regrouping and spreading again is the hysteresis that keeps a
 *   class from flapping when one person comes and goes at the edge;
 * - it has fit so for `settleMs` without a break (a class emptying for a break is not yet a small class);
 * - no one of the class joined for `quietMs` (a storm of joins grows the class: wait for it to end);
 * - its main host is alive and active (a cordoned host takes no one, a draining one sends people away).
 */
import { hostLoad, MediaHostReport, SpreadLimits } from './host-placement';

export interface RegroupSettings {
  /** Share (0..1) of the spread thresholds under which a class regroups (MEDIA_REGROUP_AT). */
  regroupAt: number;
  /** How long the class must have fit before it regroups (MEDIA_REGROUP_SETTLE_MS). */
  settleMs: number;
  /** How long since the class's last join before it regroups (MEDIA_REGROUP_QUIET_MS). */
  quietMs: number;
}

export interface RegroupInput {
  /** The class's owner key (its first host), if set. */
  owner: string | null;
  /** How many of the class's peers each host holds (hosts with none are absent or 0). */
  classPeers: ReadonlyMap<string, number>;
  hosts: MediaHostReport[];
  now: number;
  /** A report older than this is a silent host. */
  staleMs: number;
  limits: SpreadLimits;
  settings: RegroupSettings;
  /** Since when the class has fit on its main host (null: it did not at the last look). */
  fitSince: number | null;
  /** The class's last media join (null: none known). */
  lastJoinAt: number | null;
}

/**
 * off: regrouping is turned off (regroupAt 0); too-big: after the move the main host would be at a spread threshold (the class would spread again);
 * in-band: under the thresholds but not under `regroupAt` of them; main-not-active: cordoned;
 * joining: someone of the class joined within `quietMs`; settling: it has fit for less than `settleMs`.
 */
export type HoldReason = 'off' | 'too-big' | 'in-band' | 'main-not-active' | 'joining' | 'settling';

export type RegroupDecision =
  /** On one host (or none): nothing to gather. */
  | { kind: 'single'; main: string | null }
  /** Spread, and staying so for now; `fitSince` is what to remember for the next look. */
  | { kind: 'hold'; main: string; reason: HoldReason; fitSince: number | null }
  /** Spread, and gathering now: the people of the hosts in `move` rejoin and are placed on `main`. */
  | { kind: 'regroup'; main: string; move: string[] };

const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The class's main host: its owner while that host is alive, not draining and holds some of the class;
 * else the live, non-draining host holding most of its people (ties: the smaller id, so every host agrees);
 * null when none is.
 */
export function classMain(
  input: Pick<RegroupInput, 'owner' | 'classPeers' | 'hosts' | 'now' | 'staleMs'>,
): string | null {
  const { owner, classPeers, hosts, now, staleMs } = input;
  const usable = new Set(hosts.filter((h) => h.state !== 'draining' && now - h.at < staleMs).map((h) => h.instanceId));
  const peersOn = (id: string) => classPeers.get(id) ?? 0;
  if (owner && usable.has(owner) && peersOn(owner) > 0) return owner;
  const ranked = [...classPeers.keys()]
    .filter((id) => usable.has(id) && peersOn(id) > 0)
    .sort((a, b) => peersOn(b) - peersOn(a) || byId(a, b));
  return ranked[0] ?? null;
}

/**
 * The main host's load once `arriving` more people are on it: its load per person now (its report's
 * peers, or the class's count there when the report is behind) times the people it would hold.
 */
export function projectedLoad(main: MediaHostReport, classPeersThere: number, arriving: number): number {
  const load = hostLoad(main);
  const people = Math.max(main.peers ?? 0, classPeersThere, 1);
  return (load * (people + arriving)) / people;
}

export function decideRegroup(input: RegroupInput): RegroupDecision {
  const { classPeers, hosts, now, limits, settings } = input;
  const spreadOver = [...classPeers.entries()].filter(([, n]) => n > 0).map(([h]) => h);
  const main = classMain(input);
  if (spreadOver.length <= 1 || !main) return { kind: 'single', main: main ?? spreadOver[0] ?? null };
  const hold = (reason: HoldReason, fitSince: number | null = null): RegroupDecision => ({
    kind: 'hold',
    main,
    reason,
    fitSince,
  });

  if (settings.regroupAt <= 0) return hold('off');
  const report = hosts.find((h) => h.instanceId === main)!;
  // Cordoned: its classes finish there but it takes no one. (Draining or silent hosts are never main.)
  if (report.state !== 'active') return hold('main-not-active');

  const here = classPeers.get(main) ?? 0;
  const move = spreadOver.filter((h) => h !== main).sort(byId);
  const arriving = move.reduce((n, h) => n + (classPeers.get(h) ?? 0), 0);
  // The main host after the move: its people (every class's) and its load, projected.
  const people = Math.max(report.peers ?? 0, here) + arriving;
  const load = projectedLoad(report, here, arriving);
  // Would be at a spread threshold: the next join would spread the class again (placePeer's own test).
  if (load >= limits.spreadAt || (limits.peersPerHost > 0 && people >= limits.peersPerHost)) return hold('too-big');
  // Under the thresholds but not clearly: the band between regrouping and spreading (hysteresis).
  if (
    load > limits.spreadAt * settings.regroupAt ||
    (limits.peersPerHost > 0 && people > Math.floor(limits.peersPerHost * settings.regroupAt))
  )
    return hold('in-band');

  // It fits. Only a quiet class that has fit for a while moves.
  const fitSince = input.fitSince ?? now;
  if (input.lastJoinAt !== null && now - input.lastJoinAt < settings.quietMs) return hold('joining', fitSince);
  if (now - fitSince < settings.settleMs) return hold('settling', fitSince);
  return { kind: 'regroup', main, move };
}
