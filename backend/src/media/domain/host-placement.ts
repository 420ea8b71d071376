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
