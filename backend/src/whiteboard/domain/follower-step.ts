/**
 * What a board's copy does with an op the log's stream brings (PROTOCOL.md, R10-R13). Pure: the copy
 * knows the last position it applied; the op carries its own.
 *
 * - `apply`: the next position (R10).
 * - `stale`: one the copy already has: a replay of what a load already read, or a message twice (R11).
 * - `rewind`: positions went back: the log lost the board and someone started it again (R12). The copy
 *   starts over from what the log has now. Not during a replay, whose old messages are merely stale.
 * - `gap`: positions skipped: messages were lost; the log has them (R13). The copy reloads.
 */
export type FollowerStep = 'apply' | 'stale' | 'rewind' | 'gap';

/**
 * @param applied the last position the copy applied
 * @param incoming the position of the op the stream brings
 * @param replaying the op arrived while the copy was loading and is replayed after the load
 */
export function followerStep(applied: number, incoming: number, replaying: boolean): FollowerStep {
  if (incoming === applied + 1) return 'apply';
  if (incoming > applied) return 'gap';
  return incoming < applied && !replaying ? 'rewind' : 'stale';
}
