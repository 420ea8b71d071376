import { createCanvas } from '@napi-rs/canvas';
import { Readable } from 'node:stream';
import { BoardPlayback, BoardTimeline, isPaused } from '../domain/board-timeline';
import { paintPage } from '../domain/board-paint';
import { BOARD } from '../domain/ffmpeg-args';

/**
 * The board as raw RGBA frames (BOARD's size and rate) for FFmpeg's stdin, painted with @napi-rs/canvas
 * from the op log's timeline. A frame is painted again only when the board or the page shown changed;
 * otherwise the last one is sent again. Pull-based: FFmpeg's pace sets the painting's (no frames pile up).
 */
export function boardFrames(timeline: BoardTimeline, duration: number, onFrame?: (t: number) => void): Readable {
  const canvas = createCanvas(BOARD.width, BOARD.height);
  const ctx = canvas.getContext('2d');
  const playback = new BoardPlayback(timeline);
  const total = Math.ceil(duration * BOARD.fps);
  let frame = 0;
  let shownPage = '';
  let last: Buffer | null = null;
  return new Readable({
    highWaterMark: 2,
    objectMode: false,
    read() {
      if (frame >= total) return void this.push(null);
      const t = frame / BOARD.fps;
      const { board, page: current, changed } = playback.at(t);
      // In a pause the page is shown blank (a pause means "not recorded").
      const page = isPaused(timeline, t) ? '' : current;
      if (!last || changed || page !== shownPage) {
        const p = board.pages.get(page);
        paintPage(ctx as never, p ? p.order.map((id) => p.elements.get(id)!).filter(Boolean) : [], BOARD.width);
        last = Buffer.from(canvas.data());
        shownPage = page;
      }
      frame++;
      onFrame?.(t);
      this.push(last);
    },
  });
}
