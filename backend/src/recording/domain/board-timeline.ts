import type { BoardOp } from '../../contracts/whiteboard';
import { applyEffect, applyOp, Board, BoardError, Effect, emptyBoard } from '../../whiteboard/domain/board';

/**
 * The board of a class over time, rebuilt from its op log: each op applied in log order to a fresh board
 * (exactly what every live copy did), its effects kept with the op's time. The recording's board video is
 * painted from it, and the player's board pane replays the same effects, as vectors, at the video's time.
 */

/** One logged op with the wall-clock time (ms) it was logged at. */
export interface TimedOp {
  pos: number;
  at: number;
  userId: string;
  op: BoardOp;
}

export interface BoardTimeline {
  /** Effects in order, `t` seconds from the recording's start (negative: before it began). */
  events: Array<{ t: number; effects: Effect[] }>;
  /** The page shown from `t` on: the teacher's page changes, else the page last drawn on. */
  focus: Array<{ t: number; page: string }>;
  /** Page titles by id, in page order (page marks of the chapters). */
  pages: Array<{ id: string; title: string }>;
  /** The instructor's pauses, [from, to] seconds: the board is not shown in them. */
  paused: Array<[number, number]>;
}

const pageOf = (op: BoardOp): string | null => ('page' in op ? op.page : null);

/**
 * Replays `ops` (any order: sorted by log position here) from an empty board. An op the board refused
 * live is refused alike here and leaves nothing. `pageChanges` are the teacher's (whiteboard_page_event).
 */
export function buildBoardTimeline(
  ops: TimedOp[],
  pageChanges: Array<{ page: string; at: Date }>,
  origin: Date,
  paused: Array<[number, number]> = [],
): BoardTimeline {
  const board = emptyBoard();
  const t = (ms: number) => Math.round(ms - origin.getTime()) / 1000;
  const events: BoardTimeline['events'] = [];
  const drawnOn: BoardTimeline['focus'] = [];
  for (const entry of [...ops].sort((a, b) => a.pos - b.pos)) {
    try {
      const applied = applyOp(board, entry.userId, entry.op);
      if (applied.duplicate || !applied.effects.length) continue;
      events.push({ t: t(entry.at), effects: applied.effects });
      const page = pageOf(entry.op);
      if (page && entry.op.type !== 'add-page' && board.pages.has(page)) drawnOn.push({ t: t(entry.at), page });
    } catch (e) {
      if (!(e instanceof BoardError)) throw e;
    }
  }
  const known = pageChanges.filter((c) => board.pages.has(c.page));
  const focus = known.length ? known.map((c) => ({ t: t(c.at.getTime()), page: c.page })) : drawnOn;
  return {
    events,
    focus: focus.filter((f, i) => i === 0 || f.page !== focus[i - 1].page),
    pages: board.pageOrder.map((id) => ({ id, title: board.pages.get(id)!.title })),
    paused,
  };
}

/** Whether anything was ever drawn (a board that stayed empty gets the camera layout). */
/** Whether `t` falls in a pause (nothing of the board shown). */
export const isPaused = (tl: BoardTimeline, t: number) => tl.paused.some(([a, b]) => t >= a && t < b);

export const hasBoardActivity = (tl: BoardTimeline) => tl.events.length > 0;

/**
 * The board at a time, moving forward cheaply: `at(t)` applies the events up to `t` since the last call,
 * and starts over from an empty board only when asked for an earlier time (a seek back).
 */
export class BoardPlayback {
  private board: Board = emptyBoard();
  private next = 0;
  private time = -Infinity;

  constructor(private readonly timeline: BoardTimeline) {}

  at(t: number): { board: Board; page: string; changed: boolean } {
    let changed = false;
    if (t < this.time) {
      this.board = emptyBoard();
      this.next = 0;
      changed = true;
    }
    this.time = t;
    const events = this.timeline.events;
    while (this.next < events.length && events[this.next].t <= t) {
      for (const e of events[this.next].effects) {
        try {
          applyEffect(this.board, e);
        } catch (err) {
          if (!(err instanceof BoardError)) throw err;
        }
      }
      this.next++;
      changed = true;
    }
    return { board: this.board, page: this.pageAt(t), changed };
  }

  pageAt(t: number): string {
    let page = this.board.pageOrder[0];
    for (const f of this.timeline.focus) {
      if (f.t > t) break;
      if (this.board.pages.has(f.page)) page = f.page;
    }
    return page;
  }
}
