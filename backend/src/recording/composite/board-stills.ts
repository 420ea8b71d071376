import { createCanvas } from '@napi-rs/canvas';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BoardPlayback, BoardTimeline, isPaused } from '../domain/board-timeline';
import { paintPage } from '../domain/board-paint';
import { BOARD, BoardStill } from '../domain/ffmpeg-args';

/**
 * The board as still images (PNG, BOARD's size) painted with @napi-rs/canvas from the op log's timeline:
 * the board is looked at BOARD.fps times a second and painted only when what it shows changed (an op,
 * another page, a pause). FFmpeg repeats each still until the next one (ffmpeg-args' boardStillsList):
 * a ten-minute class with a stroke every few seconds is a few hundred PNGs, not 3,000 raw frames.
 */
export async function writeBoardStills(
  timeline: BoardTimeline,
  duration: number,
  dir: string,
  onProgress?: (fraction: number) => void,
): Promise<BoardStill[]> {
  const canvas = createCanvas(BOARD.width, BOARD.height);
  const ctx = canvas.getContext('2d');
  const playback = new BoardPlayback(timeline);
  const total = Math.max(1, Math.ceil(duration * BOARD.fps));
  const stills: BoardStill[] = [];
  let shownPage: string | null = null;
  for (let frame = 0; frame < total; frame++) {
    const t = frame / BOARD.fps;
    const { board, page: current, changed } = playback.at(t);
    // In a pause the page is shown blank (a pause means "not recorded").
    const page = isPaused(timeline, t) ? '' : current;
    if (shownPage !== null && !changed && page === shownPage) continue;
    const p = board.pages.get(page);
    paintPage(ctx as never, p ? p.order.map((id) => p.elements.get(id)!).filter(Boolean) : [], BOARD.width);
    const file = path.join(dir, `still-${String(stills.length).padStart(5, '0')}.png`);
    await writeFile(file, await canvas.encode('png'));
    stills.push({ file, at: Math.round(t * 1000) / 1000 });
    shownPage = page;
    onProgress?.(frame / total);
  }
  return stills;
}
