/**
 * Where a class's media goes: the least-loaded media host that is alive and takes new classes. Pure;
 * the media cluster feeds it what every host published in Redis.
 *
 * A host's load is the larger of its consumer fill (consumers over what its workers take before a class
 * spreads) and its workers' CPU (the share of their cores used since the last beat): consumers alone miss
 * a host busy with something else (capture, a heavy screen share), CPU alone misses a host that has just
 * been given many classes whose people are still arriving.
 */
export type MediaRole = 'on' | 'off' | 'only';

export interface MediaHostReport {
  instanceId: string;
  /** Cordoned: no new classes, those it has go on. Draining: no new classes, and its classes are moving away. */
  state: 'active' | 'cordoned' | 'draining';
  consumers: number;
  /** Consumers its workers take before spreading (workers × MEDIA_CONSUMERS_PER_WORKER). */
  capacity: number;
  /** Share of its workers' cores used over the last beat (0..1). */
  cpu: number;
  rooms: number;
  /** Media peers it holds, every class together (0 from a host built before classes spread). */
  peers?: number;
  /** Where browsers reach it (MEDIA_ANNOUNCED_ADDRESS or MEDIA_LISTEN_IP): which machine an operator is looking at. */
  address?: string;
  /** When it last published (ms since epoch). */
  at: number;
}

export function hostLoad(h: Pick<MediaHostReport, 'consumers' | 'capacity' | 'cpu'>): number {
  const fill = h.capacity > 0 ? h.consumers / h.capacity : 1;
  return Math.max(fill, Math.min(1, Math.max(0, h.cpu)));
}

/**
 * How much more loaded than the least-loaded host the asking instance may be and still host the class
 * itself: its own signalling then needs no hop through Redis. Beyond it, the class goes to the other host.
 */
export const LOCAL_MARGIN = 0.1;

/**
 * The host for a new class, or null when none is alive and active: the least loaded (ties: fewer classes,
 * then the id, so every instance agrees), unless `local` (the instance asking) is active and within
 * LOCAL_MARGIN of it.
 */
export function pickMediaHost(hosts: MediaHostReport[], now: number, staleMs: number, local?: string): string | null {
  const candidates = hosts.filter((h) => h.state === 'active' && now - h.at < staleMs);
  candidates.sort((a, b) => hostLoad(a) - hostLoad(b) || a.rooms - b.rooms || (a.instanceId < b.instanceId ? -1 : 1));
  const best = candidates[0];
  if (!best) return null;
  const self = local !== undefined ? candidates.find((h) => h.instanceId === local) : undefined;
  if (self && hostLoad(self) <= hostLoad(best) + LOCAL_MARGIN) return self.instanceId;
  return best.instanceId;
}

/** Share of `workers` cores used between two readings of the workers' total CPU seconds. */
export function cpuShare(prevCpuSeconds: number, cpuSeconds: number, elapsedSeconds: number, workers: number): number {
  if (elapsedSeconds <= 0 || workers <= 0) return 0;
  return Math.min(1, Math.max(0, (cpuSeconds - prevCpuSeconds) / (elapsedSeconds * workers)));
}

/** When a class's host is full for one more person: SpreadLimits are the deployment's (MEDIA_SPREAD_AT, MEDIA_PEERS_PER_HOST). */
export interface SpreadLimits {
  /** Load (hostLoad) at which a host takes no more people of a class that can spread elsewhere. */
  spreadAt: number;
  /** Peers at which a host is full whatever its load; 0: no count limit. */
  peersPerHost: number;
}

/**
 * Whether a host can take one more peer. `classPeers` is what the class itself holds there (known at
 * once, from the class's own peer list), so a burst of joins between two load reports still counts.
 */
export function hasRoom(h: MediaHostReport, classPeers: number, limits: SpreadLimits): boolean {
  if (hostLoad(h) >= limits.spreadAt) return false;
  if (limits.peersPerHost > 0 && Math.max(h.peers ?? 0, classPeers) >= limits.peersPerHost) return false;
  return true;
}

/**
 * The host for one more person of a class already hosted somewhere (Jitsi's Octo): the hosts the class
 * is on keep taking people while they have room (`classHosts`, its first host first: fewer pipes);
 * when none has, the least-loaded other active host with room, which the class then spreads to
 * (its routers linked by pipe transports); when no host has room anywhere, the least-loaded live
 * active host of the class (an overloaded class is better than a refused person), then any live active
 * host; null when no host is alive and active.
 */
export function placePeer(input: {
  classHosts: string[];
  classPeers: ReadonlyMap<string, number>;
  hosts: MediaHostReport[];
  now: number;
  staleMs: number;
  limits: SpreadLimits;
}): string | null {
  const { classHosts, classPeers, hosts, now, staleMs, limits } = input;
  const usable = hosts.filter((h) => h.state === 'active' && now - h.at < staleMs);
  const byId = new Map(usable.map((h) => [h.instanceId, h]));
  const peersOn = (id: string) => classPeers.get(id) ?? 0;
  for (const id of classHosts) {
    const h = byId.get(id);
    if (h && hasRoom(h, peersOn(id), limits)) return id;
  }
  const order = (a: MediaHostReport, b: MediaHostReport) =>
    hostLoad(a) - hostLoad(b) || a.rooms - b.rooms || (a.instanceId < b.instanceId ? -1 : 1);
  const others = usable
    .filter((h) => !classHosts.includes(h.instanceId) && hasRoom(h, peersOn(h.instanceId), limits))
    .sort(order);
  if (others[0]) return others[0].instanceId;
  const ofClass = usable.filter((h) => classHosts.includes(h.instanceId)).sort(order);
  if (ofClass[0]) return ofClass[0].instanceId;
  return [...usable].sort(order)[0]?.instanceId ?? null;
}
