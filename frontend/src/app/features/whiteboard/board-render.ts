import type { Page, StoredElement } from '@whiteboard-domain/board';

/** Board coordinates: a 1600×1000 page, scaled to the canvas's CSS width. */
export const BOARD_WIDTH = 1600;
export const BOARD_HEIGHT = 1000;
/**
 * The thinnest line drawn on screen, in CSS pixels. A 2-unit pen line on a 390 px phone would be
 * 0.5 px wide (faint, broken by anti-aliasing): lines are drawn at least this wide whatever the scale.
 */
export const MIN_LINE_PX = 1.5;

/** How wide a line of `width` board units is drawn at `scale` (CSS pixels per board unit). */
export function lineWidthAt(width: number, scale: number): number {
  return scale > 0 ? Math.max(width, MIN_LINE_PX / scale) : width;
}

/** Sizes the canvas's backing store to its CSS box on this screen and returns the board-to-CSS scale. */
export function prepareCanvas(c: HTMLCanvasElement): { ctx: CanvasRenderingContext2D; scale: number } | null {
  const ctx = c.getContext('2d');
  const w = c.clientWidth;
  const h = c.clientHeight;
  if (!ctx || w === 0 || h === 0) return null;
  const dpr = window.devicePixelRatio || 1;
  if (c.width !== Math.round(w * dpr) || c.height !== Math.round(h * dpr)) {
    c.width = Math.round(w * dpr);
    c.height = Math.round(h * dpr);
  }
  const scale = w / BOARD_WIDTH;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  ctx.scale(scale, scale);
  return { ctx, scale };
}

/** Draws every element of a page, in order. */
export function drawPage(ctx: CanvasRenderingContext2D, page: Page | undefined, scale: number): void {
  if (!page) return;
  for (const id of page.order) drawElement(ctx, page.elements.get(id), scale);
}

export function drawElement(ctx: CanvasRenderingContext2D, el: StoredElement | undefined, scale = 1) {
  if (!el) return;
  ctx.save();
  ctx.strokeStyle = el.colour;
  ctx.fillStyle = el.colour;
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  if (el.kind === 'stroke') {
    ctx.lineWidth = lineWidthAt(el.width, scale);
    if (el.tool === 'highlighter') ctx.globalAlpha = 0.3;
    if (el.tool === 'eraser') ctx.globalCompositeOperation = 'destination-out';
    ctx.beginPath();
    el.points.forEach(([x, y], i) => (i ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
    if (el.points.length === 1) ctx.lineTo(el.points[0][0] + 0.1, el.points[0][1]);
    ctx.stroke();
  } else if (el.kind === 'shape') {
    ctx.lineWidth = lineWidthAt(el.width, scale);
    const [x1, y1] = el.from;
    const [x2, y2] = el.to;
    ctx.beginPath();
    if (el.tool === 'rectangle') ctx.rect(Math.min(x1, x2), Math.min(y1, y2), Math.abs(x2 - x1), Math.abs(y2 - y1));
    else if (el.tool === 'ellipse')
      ctx.ellipse((x1 + x2) / 2, (y1 + y2) / 2, Math.abs(x2 - x1) / 2, Math.abs(y2 - y1) / 2, 0, 0, Math.PI * 2);
    else {
      ctx.moveTo(x1, y1);
      ctx.lineTo(x2, y2);
      if (el.tool === 'arrow') {
        const a = Math.atan2(y2 - y1, x2 - x1);
        const head = 12 + el.width * 2;
        ctx.moveTo(x2, y2);
        ctx.lineTo(x2 - head * Math.cos(a - 0.4), y2 - head * Math.sin(a - 0.4));
        ctx.moveTo(x2, y2);
        ctx.lineTo(x2 - head * Math.cos(a + 0.4), y2 - head * Math.sin(a + 0.4));
      }
    }
    ctx.stroke();
  } else {
    ctx.font = `${el.size}px system-ui, sans-serif`;
    ctx.textBaseline = 'top';
    el.text.split('\n').forEach((line, i) => ctx.fillText(line, el.at[0], el.at[1] + i * el.size * 1.2));
  }
  ctx.restore();
}
