import { BoardElement, BoardOp, ElementPatch, LIMITS, Point } from '../../contracts/whiteboard';

/**
 * The whiteboard document and how ops change it. Pure and synchronous: the server applies ops in order
 * (one sequence number each) and broadcasts the resulting effects; clients apply the same effects.
 * Undo and redo are per user: they revert that user's own last action, never anyone else's.
 */
export type StoredElement = BoardElement & { author: string };

export type Effect =
  | { kind: 'put'; page: string; elementId: string; element: StoredElement; index?: number }
  | { kind: 'append'; page: string; elementId: string; points: Point[] }
  | { kind: 'patch'; page: string; elementId: string; patch: ElementPatch }
  | { kind: 'remove'; page: string; elementIds: string[] }
  | { kind: 'add-page'; page: string; title: string };

/** What undoing (or redoing) one action does: the effects that reverse it. */
interface HistoryEntry {
  undo: Effect[];
  redo: Effect[];
}

export interface Page {
  id: string;
  title: string;
  order: string[];
  elements: Record<string, StoredElement>;
}

export interface Board {
  seq: number;
  pageOrder: string[];
  pages: Record<string, Page>;
  /** Recent op ids, oldest first: a retried op is recognised and not applied twice. */
  recentOps: string[];
  undo: Record<string, HistoryEntry[]>;
  redo: Record<string, HistoryEntry[]>;
}

export class BoardError extends Error {
  constructor(
    public readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const RECENT_OPS = 5_000;
const HISTORY_DEPTH = 100;

export function emptyBoard(firstPage = 'page-1'): Board {
  return { seq: 0, pageOrder: [firstPage], pages: { [firstPage]: { id: firstPage, title: 'Page 1', order: [], elements: {} } }, recentOps: [], undo: {}, redo: {} };
}

const page = (b: Board, id: string): Page => {
  const p = b.pages[id];
  if (!p) throw new BoardError('PAGE_NOT_FOUND', `No page ${id}`);
  return p;
};
const element = (p: Page, id: string): StoredElement => {
  const e = p.elements[id];
  if (!e) throw new BoardError('ELEMENT_NOT_FOUND', `No element ${id} on page ${p.id}`);
  return e;
};
const clone = <T>(v: T): T => structuredClone(v);

/** Applies one effect; used by the server after an op and by every client on receipt. */
export function applyEffect(b: Board, e: Effect): void {
  switch (e.kind) {
    case 'add-page':
      if (b.pages[e.page]) return;
      b.pages[e.page] = { id: e.page, title: e.title, order: [], elements: {} };
      b.pageOrder.push(e.page);
      return;
    case 'put': {
      const p = page(b, e.page);
      p.elements[e.elementId] = clone(e.element);
      if (!p.order.includes(e.elementId)) {
        if (e.index === undefined || e.index >= p.order.length) p.order.push(e.elementId);
        else p.order.splice(Math.max(0, e.index), 0, e.elementId);
      }
      return;
    }
    case 'append': {
      const el = element(page(b, e.page), e.elementId);
      if (el.kind === 'stroke') el.points.push(...e.points.map((pt) => [pt[0], pt[1]] as Point));
      return;
    }
    case 'patch': {
      const el = element(page(b, e.page), e.elementId);
      applyPatch(el, e.patch);
      return;
    }
    case 'remove': {
      const p = page(b, e.page);
      for (const id of e.elementIds) delete p.elements[id];
      const gone = new Set(e.elementIds);
      p.order = p.order.filter((id) => !gone.has(id));
      return;
    }
  }
}

function applyPatch(el: StoredElement, patch: ElementPatch): void {
  if (patch.colour) el.colour = patch.colour;
  if (patch.text !== undefined && el.kind === 'text') el.text = patch.text;
  if (patch.from && el.kind === 'shape') el.from = patch.from;
  if (patch.to && el.kind === 'shape') el.to = patch.to;
  if (patch.move) {
    const [dx, dy] = patch.move;
    if (el.kind === 'stroke') el.points = el.points.map(([x, y]) => [x + dx, y + dy]);
    if (el.kind === 'shape') {
      el.from = [el.from[0] + dx, el.from[1] + dy];
      el.to = [el.to[0] + dx, el.to[1] + dy];
    }
    if (el.kind === 'text') el.at = [el.at[0] + dx, el.at[1] + dy];
  }
}

/** The patch that undoes `patch` on `el` (taken before applying it). */
function inversePatch(el: StoredElement, patch: ElementPatch): ElementPatch {
  const inv: ElementPatch = {};
  if (patch.colour) inv.colour = el.colour;
  if (patch.text !== undefined && el.kind === 'text') inv.text = el.text;
  if (patch.from && el.kind === 'shape') inv.from = el.from;
  if (patch.to && el.kind === 'shape') inv.to = el.to;
  if (patch.move) inv.move = [-patch.move[0], -patch.move[1]];
  return inv;
}

function remember(b: Board, user: string, entry: HistoryEntry): void {
  const stack = (b.undo[user] ??= []);
  stack.push(entry);
  if (stack.length > HISTORY_DEPTH) stack.shift();
  b.redo[user] = [];
}

export interface Applied {
  seq: number;
  effects: Effect[];
  /** The op was seen before (a retry): nothing changed, no new sequence number. */
  duplicate: boolean;
}

/** Applies an op from `user` (already validated against the wire schema). Throws BoardError on a refused op. */
export function applyOp(b: Board, user: string, op: BoardOp): Applied {
  if (b.recentOps.includes(op.opId)) return { seq: b.seq, effects: [], duplicate: true };
  const effects = plan(b, user, op);
  for (const e of effects) applyEffect(b, e);
  b.seq += 1;
  b.recentOps.push(op.opId);
  if (b.recentOps.length > RECENT_OPS) b.recentOps.splice(0, b.recentOps.length - RECENT_OPS);
  return { seq: b.seq, effects, duplicate: false };
}

/** Checks the op against the board and works out its effects (and its undo entry). */
function plan(b: Board, user: string, op: BoardOp): Effect[] {
  switch (op.type) {
    case 'add-page': {
      if (b.pages[op.page]) throw new BoardError('PAGE_EXISTS', `Page ${op.page} exists`);
      if (b.pageOrder.length >= LIMITS.pages) throw new BoardError('TOO_MANY_PAGES', `At most ${LIMITS.pages} pages`);
      return [{ kind: 'add-page', page: op.page, title: op.title ?? `Page ${b.pageOrder.length + 1}` }];
    }
    case 'add': {
      const p = page(b, op.page);
      if (p.elements[op.elementId]) throw new BoardError('ELEMENT_EXISTS', `Element ${op.elementId} exists`);
      if (p.order.length >= LIMITS.elementsPerPage) throw new BoardError('PAGE_FULL', `At most ${LIMITS.elementsPerPage} elements on a page`);
      const stored = { ...clone(op.element), author: user } as StoredElement;
      const put: Effect = { kind: 'put', page: op.page, elementId: op.elementId, element: stored };
      // Undo removes the element; redo puts it back as it was then (with the points appended since).
      // The history keeps its own copy: the effect returned goes out as it is now, and stays so.
      remember(b, user, { undo: [{ kind: 'remove', page: op.page, elementIds: [op.elementId] }], redo: [clone(put)] });
      return [put];
    }
    case 'append': {
      const el = element(page(b, op.page), op.elementId);
      if (el.author !== user) throw new BoardError('NOT_AUTHOR', 'Only the author of a stroke draws on it');
      if (el.kind !== 'stroke') throw new BoardError('NOT_A_STROKE', 'Points go on strokes only');
      if (el.points.length + op.points.length > LIMITS.pointsPerElement) throw new BoardError('STROKE_TOO_LONG', `At most ${LIMITS.pointsPerElement} points in a stroke`);
      // The stroke's undo entry (from its add) must redo the whole stroke: keep it in step.
      const redoPut = [...(b.undo[user] ?? [])]
        .reverse()
        .flatMap((h) => h.redo)
        .find((r) => r.kind === 'put' && r.elementId === op.elementId) as Extract<Effect, { kind: 'put' }> | undefined;
      if (redoPut && redoPut.element.kind === 'stroke') redoPut.element.points.push(...op.points);
      return [{ kind: 'append', page: op.page, elementId: op.elementId, points: op.points }];
    }
    case 'update': {
      const el = element(page(b, op.page), op.elementId);
      const patch: Effect = { kind: 'patch', page: op.page, elementId: op.elementId, patch: op.patch };
      remember(b, user, { undo: [{ kind: 'patch', page: op.page, elementId: op.elementId, patch: inversePatch(el, op.patch) }], redo: [patch] });
      return [patch];
    }
    case 'delete': {
      const p = page(b, op.page);
      const el = element(p, op.elementId);
      const index = p.order.indexOf(op.elementId);
      remember(b, user, {
        undo: [{ kind: 'put', page: op.page, elementId: op.elementId, element: clone(el), index }],
        redo: [{ kind: 'remove', page: op.page, elementIds: [op.elementId] }],
      });
      return [{ kind: 'remove', page: op.page, elementIds: [op.elementId] }];
    }
    case 'clear-page': {
      const p = page(b, op.page);
      const ids = [...p.order];
      if (ids.length === 0) return [];
      remember(b, user, {
        undo: ids.map((id, index) => ({ kind: 'put', page: op.page, elementId: id, element: clone(p.elements[id]), index })),
        redo: [{ kind: 'remove', page: op.page, elementIds: ids }],
      });
      return [{ kind: 'remove', page: op.page, elementIds: ids }];
    }
    case 'undo':
    case 'redo': {
      const from = op.type === 'undo' ? b.undo : b.redo;
      const to = op.type === 'undo' ? b.redo : b.undo;
      const entry = from[user]?.pop();
      if (!entry) throw new BoardError(op.type === 'undo' ? 'NOTHING_TO_UNDO' : 'NOTHING_TO_REDO', `Nothing to ${op.type}`);
      (to[user] ??= []).push(entry);
      // Effects on elements or pages that are gone since are skipped, not failed.
      return (op.type === 'undo' ? entry.undo : entry.redo).filter((e) => applicable(b, e)).map(clone);
    }
  }
}

function applicable(b: Board, e: Effect): boolean {
  const p = b.pages[e.page];
  if (!p) return false;
  if (e.kind === 'patch' || e.kind === 'append') return Boolean(p.elements[e.elementId]);
  if (e.kind === 'put') return !p.elements[e.elementId];
  return true;
}
