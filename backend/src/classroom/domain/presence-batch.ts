import type { Participant } from '../../contracts/realtime';

/** What a member's copy of the participant list learns: a person is now like this, or is gone. */
export type PresenceChange = { kind: 'present'; participant: Participant } | { kind: 'gone'; userId: string };

/**
 * Presence changes of one room waiting for the end of their window. Each change says what a person IS
 * (present with this state, or gone), and a member applies them by upsert and removal, so only the latest
 * change of each person matters: a join then a hand raise is one "present", a join then a leave is one
 * "gone". A batch therefore never grows past the room's size, whatever the storm.
 */
export class PresenceBatch {
  private readonly latest = new Map<string, PresenceChange>();

  add(change: PresenceChange): void {
    const userId = change.kind === 'present' ? change.participant.userId : change.userId;
    this.latest.delete(userId); // re-inserted last: the payload lists people in the order of their latest change
    this.latest.set(userId, change);
  }

  get size(): number {
    return this.latest.size;
  }

  /** The payload of `presence:batch`, and the batch emptied. */
  drain(): { participants: Participant[]; left: string[] } {
    const participants: Participant[] = [];
    const left: string[] = [];
    for (const [userId, c] of this.latest) {
      if (c.kind === 'present') participants.push(c.participant);
      else left.push(userId);
    }
    this.latest.clear();
    return { participants, left };
  }
}

/**
 * Whether a room's presence changes wait for a batch: once a batch is open it takes every change of its
 * room until it is sent (so a change never overtakes an earlier one); otherwise only rooms of `batchAbove`
 * people or more batch (0: never).
 */
export function batchesChange(roomSize: number, batchAbove: number, batchOpen: boolean): boolean {
  if (batchOpen) return true;
  return batchAbove > 0 && roomSize >= batchAbove;
}
