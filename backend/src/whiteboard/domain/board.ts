import { isReservedId } from '../../contracts/ids';
import { BoardElement, BoardOp, ElementPatch, LIMITS, Point } from '../../contracts/whiteboard';

/**
 * The whiteboard document and how ops change it. Pure and synchronous: the server applies ops in order
 * (one sequence number each) and broadcasts the resulting effects; clients apply the same effects.
 * Undo and redo are per user: they revert that user's own last action, never anyone else's.
 *
 * Page, element and user ids come from clients: they are data, so everything keyed by them is a Map
 * (an element called `__proto__` on a plain object would be Object.prototype). JSON carries a board as
 * plain objects (`BoardData`: snapshots, saves, catch-up answers); `boardFromData` reads only their own
 * keys and leaves out the reserved names a board saved before the contract refused them may hold.
 */
export type StoredElement = BoardElement & { author: string };

export type Effect =
  | { kind: 'put'; page: string; elementId: string; element: StoredElement; index?: number }
  | { kind: 'append'; page: string; elementId: string; points: Point[] }
  | { kind: 'patch'; page: string; elementId: string; patch: ElementPatch }
  | { kind: 'remove'; page: string; elementIds: string[] }
  | { kind: 'add-page'; page: string; title: string };

/** What undoing (or redoing) one action does: the effects that reverse it. */
export interface HistoryEntry {
  undo: Effect[];
  redo: Effect[];
}

export interface Page {
  id: string;
  title: string;
  order: string[];
  elements: Map<string, StoredElement>;
}

export interface Board {
  seq: number;
  pageOrder: string[];
  pages: Map<string, Page>;
  /** Recent op ids, oldest first: a retried op is recognised and not applied twice. */
  recentOps: string[];
  /** Each user's undo and redo stacks, by user id. */
  undo: Map<string, HistoryEntry[]>;
  redo: Map<string, HistoryEntry[]>;
}

/** A page as JSON carries it: its elements in an object keyed by element id. */
export interface PageData {
  id: string;
  title: string;
  order: string[];
  elements: Record<string, StoredElement>;
}

/** A board as JSON carries it (Redis snapshots, saves in Postgres, catch-up answers). */
export interface BoardData {
  seq: number;
  pageOrder: string[];
  pages: Record<string, PageData>;
  recentOps?: string[];
  undo?: Record<string, HistoryEntry[]>;
  redo?: Record<string, HistoryEntry[]>;
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
  return {
    seq: 0,
    pageOrder: [firstPage],
    pages: new Map([[firstPage, { id: firstPage, title: 'Page 1', order: [], elements: new Map() }]]),
    recentOps: [],
    undo: new Map(),
    redo: new Map(),
  };
}

/** An object without a prototype, from entries: nothing inherited to read, no `__proto__` setter to hit. */
function record<V>(entries: Iterable<[string, V]>): Record<string, V> {
  const out = Object.create(null) as Record<string, V>;
  for (const [k, v] of entries) out[k] = v;
  return out;
}

/** The own entries of an object from JSON, reserved names left out (anything not an object has none). */
function ownEntries<V>(o: unknown): Array<[string, V]> {
  if (!o || typeof o !== 'object' || Array.isArray(o)) return [];
  return Object.keys(o)
    .filter((k) => !isReservedId(k))
    .map((k) => [k, (o as Record<string, V>)[k]]);
}

const safeIdOf = (id: unknown): boolean => typeof id === 'string' && !isReservedId(id);
/** An effect whose page and element ids are all ids (not reserved names). */
function safeEffect(e: Effect): boolean {
  if (!e || typeof e !== 'object' || !safeIdOf(e.page)) return false;
  if (e.kind === 'remove') return Array.isArray(e.elementIds) && e.elementIds.every(safeIdOf);
  return e.kind === 'add-page' || safeIdOf(e.elementId);
}

/** The pages as JSON carries them; element objects are shared with the board, not copied. */
export function pagesToData(b: Board): Record<string, PageData> {
  return record(
    [...b.pages].map(([id, p]) => [id, { id: p.id, title: p.title, order: p.order, elements: record(p.elements) }]),
  );
}

export function boardToData(b: Board): BoardData {
  return {
    seq: b.seq,
    pageOrder: b.pageOrder,
    pages: pagesToData(b),
    recentOps: b.recentOps,
    undo: record(b.undo),
    redo: record(b.redo),
  };
}

/**
 * A board from JSON (a snapshot, a save, a catch-up answer). Reads own keys only and leaves out pages,
 * elements and history naming a reserved id (a board logged before the contract refused them), so such
 * a board loads with the rest intact and Object.prototype untouched.
 */
export function boardFromData(d: BoardData): Board {
  const pages = new Map<string, Page>();
  for (const [id, p] of ownEntries<PageData>(d.pages)) {
    if (!p || typeof p !== 'object') continue;
    const elements = new Map(ownEntries<StoredElement>(p.elements));
    const order = Array.isArray(p.order) ? p.order.filter((e) => elements.has(e)) : [];
    pages.set(id, { id, title: typeof p.title === 'string' ? p.title : id, order, elements });
  }
  const history = (h: unknown) =>
    new Map(
      ownEntries<HistoryEntry[]>(h).map(([user, entries]) => [
        user,
        (Array.isArray(entries) ? entries : []).map((x) => ({
          undo: (Array.isArray(x?.undo) ? x.undo : []).filter(safeEffect),
          redo: (Array.isArray(x?.redo) ? x.redo : []).filter(safeEffect),
        })),
      ]),
    );
  return {
    seq: Number(d.seq) || 0,
    pageOrder: Array.isArray(d.pageOrder) ? d.pageOrder.filter((id) => pages.has(id)) : [...pages.keys()],
    pages,
    recentOps: Array.isArray(d.recentOps) ? d.recentOps : [],
    undo: history(d.undo),
    redo: history(d.redo),
  };
}

const page = (b: Board, id: string): Page => {
  const p = b.pages.get(id);
  if (!p) throw new BoardError('PAGE_NOT_FOUND', `No page ${id}`);
  return p;
};
const element = (p: Page, id: string): StoredElement => {
  const e = p.elements.get(id);
  if (!e) throw new BoardError('ELEMENT_NOT_FOUND', `No element ${id} on page ${p.id}`);
  return e;
};
const clone = <T>(v: T): T => structuredClone(v);

/** Applies one effect; used by the server after an op and by every client on receipt. */
export function applyEffect(b: Board, e: Effect): void {
  if (!safeEffect(e)) throw new BoardError('RESERVED_ID', `An effect names a reserved id`);
  switch (e.kind) {
    case 'add-page':
      if (b.pages.has(e.page)) return;
      b.pages.set(e.page, { id: e.page, title: e.title, order: [], elements: new Map() });
      b.pageOrder.push(e.page);
      return;
    case 'put': {
      const p = page(b, e.page);
      p.elements.set(e.elementId, clone(e.element));
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
      for (const id of e.elementIds) p.elements.delete(id);
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
  const stack = b.undo.get(user) ?? [];
  b.undo.set(user, stack);
  stack.push(entry);
  if (stack.length > HISTORY_DEPTH) stack.shift();
  b.redo.set(user, []);
}

export interface Applied {
  seq: number;
  effects: Effect[];
  /** The op was seen before (a retry): nothing changed, no new sequence number. */
  duplicate: boolean;
}

/** Applies an op from `user` (already validated against the wire schema). Throws BoardError on a refused op. */
export function applyOp(b: Board, user: string, op: BoardOp): Applied {
  // The contract refuses these; an op logged before it did (replayed from a board's log) is refused here.
  const named = [op.opId, 'page' in op ? op.page : '', 'elementId' in op ? op.elementId : ''];
  if (named.some((id) => typeof id !== 'string' || isReservedId(id)))
    throw new BoardError('RESERVED_ID', 'An op names a reserved id (__proto__, constructor, prototype)');
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
      if (b.pages.has(op.page)) throw new BoardError('PAGE_EXISTS', `Page ${op.page} exists`);
      if (b.pageOrder.length >= LIMITS.pages) throw new BoardError('TOO_MANY_PAGES', `At most ${LIMITS.pages} pages`);
      return [{ kind: 'add-page', page: op.page, title: op.title ?? `Page ${b.pageOrder.length + 1}` }];
    }
    case 'add': {
      const p = page(b, op.page);
      if (p.elements.has(op.elementId)) throw new BoardError('ELEMENT_EXISTS', `Element ${op.elementId} exists`);
      if (p.order.length >= LIMITS.elementsPerPage)
        throw new BoardError('PAGE_FULL', `At most ${LIMITS.elementsPerPage} elements on a page`);
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
      if (el.points.length + op.points.length > LIMITS.pointsPerElement)
        throw new BoardError('STROKE_TOO_LONG', `At most ${LIMITS.pointsPerElement} points in a stroke`);
      // The stroke's undo entry (from its add) must redo the whole stroke: keep it in step.
      const redoPut = [...(b.undo.get(user) ?? [])]
        .reverse()
        .flatMap((h) => h.redo)
        .find((r) => r.kind === 'put' && r.elementId === op.elementId) as Extract<Effect, { kind: 'put' }> | undefined;
      if (redoPut && redoPut.element.kind === 'stroke') redoPut.element.points.push(...op.points);
      return [{ kind: 'append', page: op.page, elementId: op.elementId, points: op.points }];
    }
    case 'update': {
      const el = element(page(b, op.page), op.elementId);
      const patch: Effect = { kind: 'patch', page: op.page, elementId: op.elementId, patch: op.patch };
      remember(b, user, {
        undo: [{ kind: 'patch', page: op.page, elementId: op.elementId, patch: inversePatch(el, op.patch) }],
        redo: [patch],
      });
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
        undo: ids.map((id, index) => ({
          kind: 'put',
          page: op.page,
          elementId: id,
          element: clone(element(p, id)),
          index,
        })),
        redo: [{ kind: 'remove', page: op.page, elementIds: ids }],
      });
      return [{ kind: 'remove', page: op.page, elementIds: ids }];
    }
    case 'undo':
    case 'redo': {
      const from = op.type === 'undo' ? b.undo : b.redo;
      const to = op.type === 'undo' ? b.redo : b.undo;
      const entry = from.get(user)?.pop();
      if (!entry)
        throw new BoardError(op.type === 'undo' ? 'NOTHING_TO_UNDO' : 'NOTHING_TO_REDO', `Nothing to ${op.type}`);
      const stack = to.get(user) ?? [];
      to.set(user, stack);
      stack.push(entry);
      // Effects on elements or pages that are gone since are skipped, not failed.
      return (op.type === 'undo' ? entry.undo : entry.redo).filter((e) => applicable(b, e)).map(clone);
    }
  }
}

function applicable(b: Board, e: Effect): boolean {
  const p = b.pages.get(e.page);
  if (!p) return false;
  if (e.kind === 'patch' || e.kind === 'append') return p.elements.has(e.elementId);
  if (e.kind === 'put') return !p.elements.has(e.elementId);
  return true;
}
