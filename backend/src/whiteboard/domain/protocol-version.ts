import { MIN_WHITEBOARD_PROTOCOL, WHITEBOARD_PROTOCOL } from '../../contracts/whiteboard';

/** Whether this server serves a client's whiteboard protocol (PROTOCOL.md, R14). */
export type ProtocolVerdict = 'served' | 'outdated' | 'unsupported';

/**
 * A client that sends no version speaks protocol 1, the wire from before versions. Older than the
 * oldest served: `outdated` (the page must be reloaded). Newer than this server: `unsupported` (an
 * instance not yet upgraded; another, or this one shortly, will serve it).
 */
export function protocolVerdict(
  client: number | undefined,
  served: { min: number; current: number } = { min: MIN_WHITEBOARD_PROTOCOL, current: WHITEBOARD_PROTOCOL },
): ProtocolVerdict {
  const v = client ?? 1;
  if (v < served.min) return 'outdated';
  return v > served.current ? 'unsupported' : 'served';
}
