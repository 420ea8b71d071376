import type { Point } from '../../contracts/whiteboard';
import type { Page, StoredElement } from './board';

/**
 * Hit testing and bounds for the select tool, and the pointer policy that keeps a resting palm from
 * drawing. Pure: the Angular board calls these, the unit tests pin them down.
 */
export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Approximate advance of one character of system-ui text, as a fraction of the font size. */
const CHAR_WIDTH = 0.6;

export function boundsOf(el: StoredElement): Box {
  if (el.kind === 'text') {
    const lines = el.text.split('\n');
    const longest = Math.max(...lines.map((l) => l.length));
    return { x: el.at[0], y: el.at[1], w: longest * el.size * CHAR_WIDTH, h: lines.length * el.size * 1.2 };
  }
  const pts = el.kind === 'stroke' ? el.points : [el.from, el.to];
  const pad = el.width / 2;
  let minX = Infinity,
    minY = Infinity,
    maxX = -Infinity,
    maxY = -Infinity;
  for (const [x, y] of pts) {
    minX = Math.min(minX, x);
    minY = Math.min(minY, y);
    maxX = Math.max(maxX, x);
    maxY = Math.max(maxY, y);
  }
  return { x: minX - pad, y: minY - pad, w: maxX - minX + 2 * pad, h: maxY - minY + 2 * pad };
}

function distanceToSegment([px, py]: Point, [ax, ay]: Point, [bx, by]: Point): number {
  const dx = bx - ax,
    dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len2));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

/** Whether a pointer at `p` touches the element, within `tolerance` board units of its ink. */
export function hits(el: StoredElement, p: Point, tolerance: number): boolean {
  if (el.kind === 'text') {
    const b = boundsOf(el);
    return (
      p[0] >= b.x - tolerance &&
      p[0] <= b.x + b.w + tolerance &&
      p[1] >= b.y - tolerance &&
      p[1] <= b.y + b.h + tolerance
    );
  }
  const reach = tolerance + (el.kind === 'stroke' || el.kind === 'shape' ? el.width / 2 : 0);
  if (el.kind === 'stroke') {
    if (el.tool === 'eraser') return false; // erasures are not objects a person picks up
    if (el.points.length === 1) return Math.hypot(p[0] - el.points[0][0], p[1] - el.points[0][1]) <= reach;
    for (let i = 1; i < el.points.length; i++)
      if (distanceToSegment(p, el.points[i - 1], el.points[i]) <= reach) return true;
    return false;
  }
  const [x1, y1] = el.from,
    [x2, y2] = el.to;
  if (el.tool === 'line' || el.tool === 'arrow') return distanceToSegment(p, el.from, el.to) <= reach;
  if (el.tool === 'rectangle') {
    const corners: Point[] = [
      [x1, y1],
      [x2, y1],
      [x2, y2],
      [x1, y2],
    ];
    return corners.some((c, i) => distanceToSegment(p, c, corners[(i + 1) % 4]) <= reach);
  }
  // Ellipse outline: compare the normalised radius with 1, scaled back to board units.
  const cx = (x1 + x2) / 2,
    cy = (y1 + y2) / 2;
  const rx = Math.max(Math.abs(x2 - x1) / 2, 1e-6),
    ry = Math.max(Math.abs(y2 - y1) / 2, 1e-6);
  const r = Math.hypot((p[0] - cx) / rx, (p[1] - cy) / ry);
  return Math.abs(r - 1) * Math.min(rx, ry) <= reach;
}

/** The topmost element of the page under `p` (the last drawn wins), or null. */
export function elementAt(page: Page | undefined, p: Point, tolerance: number): string | null {
  if (!page) return null;
  for (let i = page.order.length - 1; i >= 0; i--) {
    const id = page.order[i];
    const el = page.elements.get(id);
    if (el && hits(el, p, tolerance)) return id;
  }
  return null;
}

/** What the board needs to know of a pointer event to decide whether it may draw. */
export interface PointerInfo {
  pointerId: number;
  pointerType: string;
  /** Contact size in CSS pixels (PointerEvent.width/height; 1 for mouse and most pens). */
  width: number;
  height: number;
  timeStamp: number;
}

/**
 * Palm rejection. A pen-capable tablet reports the hand resting on the glass as touch pointers, so:
 * once a pen has been seen, touch does not draw until no pen has been near for `penQuietMs`; a touch
 * whose contact is wider than `palmSize` is a palm, not a finger; and only one pointer draws at a
 * time (a second finger or the heel of the hand never starts a second stroke).
 */
export class PointerPolicy {
  private lastPen = -Infinity;
  private active: number | null = null;

  constructor(
    private readonly penQuietMs = 1500,
    private readonly palmSize = 40,
  ) {}

  /** Whether this pointerdown may start drawing; if so it becomes the active pointer. */
  down(e: PointerInfo): boolean {
    if (e.pointerType === 'pen') this.lastPen = e.timeStamp;
    if (this.active !== null) return false;
    if (e.pointerType === 'touch') {
      if (e.timeStamp - this.lastPen < this.penQuietMs) return false;
      if (Math.max(e.width, e.height) > this.palmSize) return false;
    }
    this.active = e.pointerId;
    return true;
  }

  /** Whether a move or up event belongs to the pointer that is drawing. Pen hovering counts as pen presence. */
  owns(e: PointerInfo): boolean {
    if (e.pointerType === 'pen') this.lastPen = e.timeStamp;
    return this.active === e.pointerId;
  }

  /** The active pointer lifted or was cancelled. */
  release(e: PointerInfo): boolean {
    if (this.active !== e.pointerId) return false;
    this.active = null;
    return true;
  }
}
