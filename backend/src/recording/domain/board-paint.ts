import type { StoredElement } from '../../whiteboard/domain/board';

/**
 * Paints board elements on a 2D canvas context: the same code draws the board into the recording's video
 * (server, @napi-rs/canvas) and in the player's board pane (browser canvas at the screen's pixel ratio, so
 * strokes stay sharp at any size). Coordinates are the board's: a 1600×1000 page.
 */
export const PAGE = { width: 1600, height: 1000 } as const;

/** The part of CanvasRenderingContext2D used here (both the browser's and @napi-rs/canvas's have it). */
export interface Paint2D {
  save(): void;
  restore(): void;
  beginPath(): void;
  moveTo(x: number, y: number): void;
  lineTo(x: number, y: number): void;
  rect(x: number, y: number, w: number, h: number): void;
  ellipse(x: number, y: number, rx: number, ry: number, rotation: number, start: number, end: number): void;
  stroke(): void;
  fillText(text: string, x: number, y: number): void;
  fillRect(x: number, y: number, w: number, h: number): void;
  setTransform(a: number, b: number, c: number, d: number, e: number, f: number): void;
  strokeStyle: unknown;
  fillStyle: unknown;
  lineWidth: number;
  lineCap: string;
  lineJoin: string;
  globalAlpha: number;
  globalCompositeOperation: string;
  font: string;
  textBaseline: string;
}

/**
 * One page, white, scaled to `width` pixels wide. The eraser paints the page's white (the page is opaque
 * in a recording: "destination-out" would punch holes through to whatever is behind).
 */
export function paintPage(ctx: Paint2D, elements: Iterable<StoredElement>, width: number, ratio = 1): void {
  const scale = (width / PAGE.width) * ratio;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.globalAlpha = 1;
  ctx.globalCompositeOperation = 'source-over';
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width * ratio, (width * ratio * PAGE.height) / PAGE.width);
  ctx.setTransform(scale, 0, 0, scale, 0, 0);
  for (const el of elements) paintElement(ctx, el);
}

export function paintElement(ctx: Paint2D, el: StoredElement): void {
  ctx.save();
  ctx.strokeStyle = el.kind === 'stroke' && el.tool === 'eraser' ? '#ffffff' : el.colour;
  ctx.fillStyle = el.colour;
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  if (el.kind === 'stroke') {
    ctx.lineWidth = el.width;
    if (el.tool === 'highlighter') ctx.globalAlpha = 0.3;
    ctx.beginPath();
    el.points.forEach(([x, y], i) => (i ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
    if (el.points.length === 1) ctx.lineTo(el.points[0][0] + 0.1, el.points[0][1]);
    ctx.stroke();
  } else if (el.kind === 'shape') {
    ctx.lineWidth = el.width;
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
    ctx.font = `${el.size}px sans-serif`;
    ctx.textBaseline = 'top';
    el.text.split('\n').forEach((line, i) => ctx.fillText(line, el.at[0], el.at[1] + i * el.size * 1.2));
  }
  ctx.restore();
}
