/** The longest wait between two attempts to join the class's media again. */
export const RECONNECT_CEILING_MS = 15_000;

/**
 * How long to wait before the next attempt after `failures` attempts in a row failed: 1, 2, 4, 8 s,
 * then every 15 s (a host that moved or a worker being replaced comes back within seconds; a server
 * that stays away is not hammered).
 */
export function reconnectDelay(failures: number): number {
  return Math.min(RECONNECT_CEILING_MS, 1000 * 2 ** Math.max(0, failures));
}
