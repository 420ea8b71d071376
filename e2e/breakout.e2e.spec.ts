import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mediaTestsOptedOut, requireWorker } from '../backend/src/media/testing/worker-check';
import { startTestApp, TestApp } from '../backend/src/testing/test-app';
import { waitFor } from '../backend/src/testing/wait-for';
import { frameAt, launchChromium } from './browser';

/** The recording notice (shown once as a class starts) is answered, as a person would, so it covers nothing. */
async function dismissRecordingBanner(room: Frame) {
  const ok = room.locator('[data-testid=recording-banner] button');
  await ok.waitFor({ timeout: 5000 }).catch(() => undefined);
  if (await ok.count()) await ok.click();
}

const PHONE = { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 };

/** Video frames this page decoded from the remote tiles of `userId` (the media client's diagnostics readout, getStats). */
const framesFrom = (room: Frame, userId: string) =>
  room
    .evaluate((uid) => {
      const peers = [...document.querySelectorAll(`[data-testid=video-tile][data-self=false][data-user="${uid}"]`)].map(
        (e) => e.getAttribute('data-peer'),
      );
      const readout = (globalThis as unknown as { lecternMedia?: { received(): Array<Record<string, unknown>> } })
        .lecternMedia;
      return (readout?.received() ?? [])
        .filter((c) => peers.includes(c['peerId'] as string))
        .reduce((n, c) => n + Number(c['cameraFrames'] ?? 0), 0);
    }, userId)
    .catch(() => 0);

const mediaConnected = (room: Frame, who: string) =>
  waitFor(
    async () => (await room.getByTestId('media-state').getAttribute('data-media-state')) === 'connected',
    `${who}'s media connected`,
    30_000,
  );

/**
 * Breakouts in Chromium with real media: the instructor splits three students (one on a phone) into two
 * rooms, visits one (the students there decode the instructor's video), broadcasts a note, recalls;
 * everyone is back in the main room with media and the main board.
 */
describe.skipIf(mediaTestsOptedOut())('breakout rooms in Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    requireWorker();
    t = await startTestApp();
    browser = await launchChromium({ fakeMedia: true });
  }, 120_000);
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await t?.close();
  });

  async function enter(url: string, who: string, options = {}): Promise<{ page: Page; room: Frame }> {
    const ctx = await browser.newContext(options);
    contexts.push(ctx);
    const page = await ctx.newPage();
    page.on('pageerror', (e) => console.log(`[${who} pageerror] ${e.message}`));
    await page.goto(url);
    const lobby = await frameAt(page, '/lobby');
    await lobby.locator('[data-testid=start-class], [data-testid=enter-class]').first().click({ timeout: 20_000 });
    const room = await frameAt(page, '/room/');
    await room.getByTestId('connection').filter({ hasText: 'Live' }).waitFor({ timeout: 20_000 });
    await dismissRecordingBanner(room);
    await mediaConnected(room, who);
    return { page, room };
  }

  it('splits three students into two rooms, visits one with video, broadcasts a note, recalls everyone to the main room', async () => {
    const launch = (user: string) => `${t.platformUrl}/launch?course=phys-101&user=${user}&storage=1`;
    const teacher = await enter(`${t.platformUrl}/launch?course=phys-101&user=dev-ada&storage=1`, 'ada');
    await teacher.room.getByTestId('toggle-camera').click();
    const self = teacher.room.locator('[data-testid=video-tile][data-self=true]');
    await waitFor(async () => (await self.getAttribute('data-has-video')) === 'true', "the instructor's self view");
    const teacherId = (await self.getAttribute('data-user'))!;
    // Something on the main board, to find again after the recall.
    const box = (await teacher.room.getByTestId('whiteboard').boundingBox())!;
    await teacher.page.mouse.move(box.x + 40, box.y + 40);
    await teacher.page.mouse.down();
    for (let i = 1; i <= 8; i++) await teacher.page.mouse.move(box.x + 40 + i * 12, box.y + 40 + i * 6);
    await teacher.page.mouse.up();

    const students: Record<string, { page: Page; room: Frame }> = {
      grace: await enter(launch('dev-grace'), 'grace'),
      alan: await enter(launch('dev-alan'), 'alan', PHONE),
      barbara: await enter(
        `${t.platformUrl}/launch?course=phys-101&user=&name=${encodeURIComponent('Barbara Liskov')}&role=Learner&storage=1`,
        'barbara',
      ),
    };
    for (const [who, s] of Object.entries(students))
      await waitFor(
        async () => (await s.room.getByTestId('whiteboard').getAttribute('data-elements')) === '1',
        `${who} sees the main board's stroke`,
      );

    // The split: two rooms, at random.
    await teacher.room.getByTestId('breakout-toggle').click();
    await teacher.room.getByTestId('breakout-room-count').fill('2');
    await teacher.room.getByTestId('breakout-open').click();
    await teacher.room.getByTestId('breakout-room-card').nth(1).waitFor({ timeout: 10_000 });
    // Each student is moved, with no click, and told where.
    const roomOf: Record<string, string> = {};
    for (const [who, s] of Object.entries(students)) {
      const name = s.room.getByTestId('breakout-room-name');
      await name.waitFor({ timeout: 15_000 });
      roomOf[who] = ((await name.textContent()) ?? '').replace('You are in ', '').trim();
      expect(roomOf[who], who).toMatch(/^Room [12]$/);
      // The room's own board: empty.
      await waitFor(
        async () => (await s.room.getByTestId('whiteboard').getAttribute('data-elements')) === '0',
        `${who} on the breakout room's board`,
      );
    }
    const sizes = ['Room 1', 'Room 2'].map((r) => Object.values(roomOf).filter((x) => x === r).length).sort();
    expect(sizes).toEqual([1, 2]);

    // The visit: the instructor goes to Room 1; the students there see the instructor's video.
    const visited = 'Room 1';
    await teacher.room
      .locator(`[data-testid=breakout-room-card][data-room="${visited}"] [data-testid=breakout-visit]`)
      .click();
    await teacher.room.getByTestId('breakout-room-name').filter({ hasText: visited }).waitFor({ timeout: 10_000 });
    const inVisited = Object.keys(roomOf).filter((w) => roomOf[w] === visited);
    const elsewhere = Object.keys(roomOf).filter((w) => roomOf[w] !== visited);
    for (const who of inVisited) {
      await students[who].room.getByTestId('breakout-visitor').waitFor({ timeout: 10_000 });
      await waitFor(
        async () =>
          (await students[who].room.locator('[data-testid=video-tile][data-has-video=true][data-self=false]').count()) >
          0,
        `${who} gets a video tile from the visiting instructor`,
        30_000,
      );
      await waitFor(
        async () => (await framesFrom(students[who].room, teacherId)) > 10,
        `${who} decodes the instructor's video`,
        30_000,
      );
    }

    // A note to every room at once.
    await teacher.room.getByTestId('breakout-note-input').fill('Two minutes left: agree on one answer');
    await teacher.room.getByTestId('breakout-broadcast').click();
    for (const [who, s] of Object.entries(students))
      await s.room
        .getByTestId('breakout-note')
        .filter({ hasText: 'Two minutes left' })
        .waitFor({ timeout: 10_000 })
        .catch((e) => {
          throw new Error(`${who} did not get the note: ${(e as Error).message}`);
        });
    expect(elsewhere.length).toBeGreaterThan(0);

    // The recall: everyone back in the main room, with the main board and media.
    await teacher.room.getByTestId('breakout-recall').click();
    for (const [who, s] of [...Object.entries(students), ['ada', teacher] as const]) {
      await waitFor(
        async () => (await s.room.getByTestId('breakout-room-name').count()) === 0,
        `${who} back in the main room`,
        20_000,
      );
      await waitFor(
        async () => (await s.room.getByTestId('whiteboard').getAttribute('data-elements')) === '1',
        `${who} sees the main board again`,
        20_000,
      );
      await mediaConnected(s.room, who);
    }
    for (const who of elsewhere)
      await waitFor(
        async () => (await framesFrom(students[who].room, teacherId)) > 10,
        `${who} decodes the instructor's video in the main room`,
        30_000,
      );
  }, 420_000);
});
