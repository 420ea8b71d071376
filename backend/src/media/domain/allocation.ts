/**
 * Where media goes: which worker a new room's router lives on, and which of a room's routers a new
 * consumer is placed on. Plain data in, a decision out; the SFU acts on it (creating routers and
 * piping producers between them). A worker is "full" at `capacity` consumers (mediasoup's own
 * guidance is ~500 consumers per worker; see bench/ for this machine's figure).
 */
export interface WorkerLoad {
  index: number;
  consumers: number;
  alive: boolean;
}

export interface RoomRouter {
  workerIndex: number;
}

/** The least loaded live worker (fewest consumers; the lowest index on a tie), or null when none lives. */
export function pickWorker(workers: WorkerLoad[]): number | null {
  let best: WorkerLoad | null = null;
  for (const w of workers) if (w.alive && (!best || w.consumers < best.consumers)) best = w;
  return best ? best.index : null;
}

export type Placement = { kind: 'existing'; workerIndex: number } | { kind: 'new-router'; workerIndex: number };

/**
 * Where a room's next consumer goes: on one of the room's routers whose worker has room left (the
 * least loaded of them); else on a new router of the room on the least loaded live worker with room
 * (the room spreads, producers are piped there); else, every worker being full, on the room's least
 * loaded router anyway (better an overloaded worker than a person without media).
 */
export function placeConsumer(room: RoomRouter[], workers: WorkerLoad[], capacity: number): Placement {
  const load = new Map(workers.map((w) => [w.index, w]));
  const own = room.map((r) => load.get(r.workerIndex)).filter((w): w is WorkerLoad => !!w && w.alive);
  const withRoom = own.filter((w) => w.consumers < capacity);
  const onOwn = pickWorker(withRoom);
  if (onOwn !== null) return { kind: 'existing', workerIndex: onOwn };
  const used = new Set(room.map((r) => r.workerIndex));
  const fresh = pickWorker(workers.filter((w) => !used.has(w.index) && w.consumers < capacity));
  if (fresh !== null) return { kind: 'new-router', workerIndex: fresh };
  const fallback = pickWorker(own);
  if (fallback !== null) return { kind: 'existing', workerIndex: fallback };
  const any = pickWorker(workers);
  if (any === null) throw new Error('no live mediasoup worker');
  return { kind: 'new-router', workerIndex: any };
}
