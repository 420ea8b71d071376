import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, TestApp } from '../backend/src/testing/test-app';
import { waitFor } from '../backend/src/testing/wait-for';
import { frameAt, launchChromium } from './browser';

/** The recording notice (shown once as a class starts) is answered, as a person would, so it covers nothing. */
export async function dismissRecordingBanner(room: Frame) {
  const ok = room.locator('[data-testid=recording-banner] button');
  await ok.waitFor({ timeout: 5000 }).catch(() => undefined);
  if (await ok.count()) await ok.click();
}

/** The phone of the issue: 390×844, touch, a mobile viewport. */
export const PHONE = { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 };

/** Pixels of each saved page's canvas that carry ink (not transparent), and its backing store size. */
async function inkOfSavedPages(frame: Frame) {
  return frame.evaluate(() =>
    [...document.querySelectorAll<HTMLCanvasElement>('canvas[data-testid=saved-page]')].map((c) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let ink = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i] > 0) ink++;
      return { width: c.width, cssWidth: c.clientWidth, ink, elements: Number(c.dataset['elements']) };
    }),
  );
}

async function launch(browser: Browser, role: 'instructor' | 'student', options = {}) {
  const ctx = await browser.newContext(options);
  const page = await ctx.newPage();
  await page.goto(`${t.platformUrl}/?course=phys-101`);
  await page.click(`#launch-${role}`);
  return { ctx, page, lobby: await frameAt(page, '/lobby') };
}

async function draw(page: Page, room: Frame, from: [number, number], steps: Array<[number, number]>) {
  const box = (await room.getByTestId('whiteboard').boundingBox())!;
  await page.mouse.move(box.x + from[0], box.y + from[1]);
  await page.mouse.down();
  for (const [x, y] of steps) await page.mouse.move(box.x + x, box.y + y);
  await page.mouse.up();
}

let t: TestApp;

describe('room defects of issue 18, in Chromium', () => {
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    browser = await launchChromium();
  });
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await t?.close();
  });

  it('the saved board shows its strokes on every page, for the instructor (laptop) and the student (phone)', async () => {
    const teacher = await launch(browser, 'instructor', { viewport: { width: 1366, height: 768 } });
    contexts.push(teacher.ctx);
    await teacher.lobby.getByTestId('start-class').click();
    const room = await frameAt(teacher.page, '/room/');
    await room.getByTestId('connection').filter({ hasText: 'Live' }).waitFor({ timeout: 15_000 });
    await dismissRecordingBanner(room);
    const board = room.getByTestId('whiteboard');
    await draw(
      teacher.page,
      room,
      [40, 40],
      Array.from({ length: 12 }, (_, i) => [40 + (i + 1) * 15, 40 + (i + 1) * 8] as [number, number]),
    );
    await waitFor(async () => (await board.getAttribute('data-elements')) === '1', 'the stroke on page 1');
    await room.getByTestId('wb-add-page').click();
    await waitFor(async () => (await board.getAttribute('data-page')) !== 'page-1', 'page 2');
    await room.locator('[data-tool=rectangle]').click();
    await draw(teacher.page, room, [60, 60], [[200, 150]]);
    await waitFor(async () => (await board.getAttribute('data-elements')) === '1', 'the rectangle on page 2');
    await room.getByTestId('end-class').click();
    await room.getByTestId('end-for-everyone').click(); // End class asks first
    await room.getByTestId('room-ended').waitFor({ timeout: 10_000 });

    const student = await launch(browser, 'student', PHONE);
    contexts.push(student.ctx);
    for (const who of [teacher, student]) {
      const lobby = who === teacher ? await frameAt(teacher.page, '/room/') : student.lobby;
      if (who === teacher) await lobby.locator('a', { hasText: 'Back to the lobby' }).click();
      const l = who === teacher ? await frameAt(teacher.page, '/lobby') : lobby;
      await l.getByTestId('past-boards').locator('a').first().click({ timeout: 15_000 });
      const saved = await frameAt(who.page, '/board/');
      await saved.getByTestId('saved-page').nth(1).waitFor({ timeout: 10_000 });
      const pages = await waitFor(async () => {
        const p = await inkOfSavedPages(saved);
        return p.length === 2 && p.every((x) => x.ink > 0) ? p : null;
      }, 'ink on both saved pages').catch(async () => inkOfSavedPages(saved));
      // Both pages are drawn at the canvas's real size (not a blank default 300×150 canvas) and carry ink:
      // the stroke (12 segments) and the rectangle's outline are hundreds of pixels each.
      expect(pages).toHaveLength(2);
      for (const p of pages) {
        expect(p.width).toBeGreaterThanOrEqual(p.cssWidth);
        expect(p.ink).toBeGreaterThan(200);
      }
      expect(pages.map((p) => p.elements)).toEqual([1, 1]);
      await who.page.screenshot({ path: `.cache/saved-board-${who === teacher ? 'laptop' : 'phone'}.png` });
    }
  });

  it('Enter class on a touch phone opens the room at the first tap, every time (leave, enter again; a new class)', async () => {
    const teacher = await launch(browser, 'instructor');
    contexts.push(teacher.ctx);
    await teacher.lobby.getByTestId('start-class').click();
    let teacherRoom = await frameAt(teacher.page, '/room/');
    const student = await launch(browser, 'student', PHONE);
    contexts.push(student.ctx);
    let lobby = student.lobby;
    const inRoom = async () => {
      for (const f of student.page.frames()) {
        if (f === student.page.mainFrame()) continue;
        const path = await f.evaluate(() => location.pathname).catch(() => '');
        if (path.startsWith('/room/')) return f;
      }
      return null;
    };
    for (let round = 0; round < 5; round++) {
      if (round === 3) {
        // The class ends while the student is in the lobby, and a new one starts: the lobby updates by itself.
        await teacherRoom.getByTestId('end-class').click();
        await teacherRoom.getByTestId('end-for-everyone').click(); // End class asks first
        await teacherRoom.getByTestId('room-ended').waitFor({ timeout: 10_000 });
        await teacherRoom.locator('a', { hasText: 'Back to the lobby' }).click();
        const tl = await frameAt(teacher.page, '/lobby');
        await tl.getByTestId('start-class').click();
        teacherRoom = await frameAt(teacher.page, '/room/');
      }
      const enter = lobby.getByTestId('enter-class');
      await enter.waitFor({ timeout: 20_000 });
      // Wait across a timed lobby refresh (every 5 s) on one round, so a tap can land just after one.
      if (round === 1) await new Promise((r) => setTimeout(r, 5_200));
      await enter.tap();
      // One tap: the room opens without a second one.
      const room = await waitFor(inRoom, `the room after ONE tap (round ${round})`, 15_000);
      // After a class ended and another started, the tap opens the NEW class (the lobby on screen can be
      // a refresh old and still point at the ended one).
      const teacherPath = await teacherRoom.evaluate(() => location.pathname);
      expect(await room.evaluate(() => location.pathname)).toBe(teacherPath);
      await room
        .getByTestId('connection')
        .filter({ hasText: 'Live' })
        .waitFor({ timeout: 15_000 })
        .catch(async (e) => {
          throw new Error(
            `round ${round}: the room is not live: ${await room
              .locator('main')
              .innerText()
              .catch(() => '?')}`,
            { cause: e },
          );
        });
      await room.getByTestId('back-to-lobby').tap();
      lobby = await frameAt(student.page, '/lobby');
    }
  });
});
