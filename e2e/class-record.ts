import type { Frame, Page } from 'playwright-core';
import { Client } from 'pg';
import { waitFor } from '../backend/src/testing/wait-for';

/** One person's page in the room: the browser tab (for the mouse) and the tool's frame in it. */
export interface RoomPage {
  who: string;
  page: Page;
  room: Frame;
}

/** Sends a chat message as a person would (the compose box and its button). */
export async function say(p: RoomPage, text: string): Promise<void> {
  await p.room.getByTestId('chat-input').fill(text);
  await p.room.getByTestId('chat-send').click();
}

/** Draws one stroke on the board with the mouse, starting `row` strokes down (so strokes do not overlap). */
export async function drawStroke(p: RoomPage, row: number): Promise<void> {
  const box = (await p.room.getByTestId('whiteboard').boundingBox())!;
  const y = box.y + 30 + row * 40;
  await p.page.mouse.move(box.x + 30, y);
  await p.page.mouse.down();
  for (let i = 1; i <= 8; i++) await p.page.mouse.move(box.x + 30 + i * 15, y + i * 2);
  await p.page.mouse.up();
}

/** What a page shows of the class: chat texts in order, strokes on the board, hands raised, notices. */
export async function shown(p: RoomPage) {
  return {
    chat: await p.room.locator('[data-testid=chat-messages] li .text').allTextContents(),
    strokes: Number((await p.room.getByTestId('whiteboard').getAttribute('data-elements')) ?? 0),
    hands: (await p.room.locator('[data-testid=raised-hands] span').allTextContents()).map((t) => t.trim()),
    notice: await p.room
      .getByTestId('room-notice')
      .textContent({ timeout: 200 })
      .catch(() => null),
    pendingChat: await p.room.locator('aside > small.muted').allTextContents(),
  };
}

/**
 * Waits until every page shows every message exactly once and `strokes` strokes (what was sent while the
 * media moved is all there, nothing doubled), with no message still waiting to be sent.
 */
export async function everythingShown(pages: RoomPage[], messages: string[], strokes: number, label: string) {
  let last = '';
  await waitFor(
    async () => {
      const views = await Promise.all(pages.map(shown));
      last = JSON.stringify(views.map((v, i) => ({ who: pages[i]!.who, ...v })));
      return views.every(
        (v) => messages.every((m) => v.chat.filter((t) => t === m).length === 1) && v.strokes === strokes,
      );
    },
    label,
    30_000,
  ).catch((e: Error) => {
    throw new Error(`${e.message}; the pages show: ${last}`);
  });
}

export interface Span {
  userId: string;
  joinedAt: Date;
  leftAt: Date | null;
  leftReason: string | null;
}

/** The class's attendance spans, straight from Postgres (the truth attendance reports are made from). */
export async function spansOf(databaseUrl: string, sessionId: string): Promise<Span[]> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{
      user_id: string;
      joined_at: Date;
      left_at: Date | null;
      left_reason: string;
    }>(
      `SELECT user_id, joined_at, left_at, left_reason FROM attendance_span WHERE session_id = $1 ORDER BY joined_at`,
      [sessionId],
    );
    return rows.map((r) => ({
      userId: r.user_id,
      joinedAt: r.joined_at,
      leftAt: r.left_at,
      leftReason: r.left_reason,
    }));
  } finally {
    await client.end();
  }
}

/**
 * Each person's presence as one unbroken stretch up to now: spans merged (a reconnect's overlapping or
 * adjacent span counts as the same stay), listed per person with every gap found (a fake leave).
 */
export function presenceGaps(spans: Span[], now = new Date()) {
  const byUser = new Map<string, Span[]>();
  for (const s of spans) byUser.set(s.userId, [...(byUser.get(s.userId) ?? []), s]);
  return [...byUser.entries()].map(([userId, list]) => {
    const sorted = [...list].sort((a, b) => a.joinedAt.getTime() - b.joinedAt.getTime());
    const gaps: Array<{ from: string; to: string; reason: string | null }> = [];
    let end = sorted[0]!.leftAt?.getTime() ?? Infinity;
    let reason = sorted[0]!.leftReason;
    for (const s of sorted.slice(1)) {
      if (s.joinedAt.getTime() > end)
        gaps.push({ from: new Date(end).toISOString(), to: s.joinedAt.toISOString(), reason });
      const e = s.leftAt?.getTime() ?? Infinity;
      if (e >= end) {
        end = e;
        reason = s.leftReason;
      }
    }
    return { userId, spans: sorted.length, gaps, openNow: end === Infinity || end >= now.getTime() };
  });
}
