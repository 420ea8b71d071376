import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, TestApp } from '../backend/src/testing/test-app';
import { frameAt, launchChromium } from './browser';

/**
 * A class longer than the session token, in Chromium: tokens of 60 s (SESSION_TTL_SECONDS, an hour in
 * production), so the page refreshes its token every 10 s and hands each to its socket. Before, the
 * socket kept the token it connected with: past its expiry the student's next action was refused and
 * the socket closed, and the page showed the class as gone (a 75-minute lecture lost everyone at the
 * hour). Here the student speaks 75 s after joining, and the teacher hears it.
 */
describe('a class outlasts its session tokens, in Chromium', () => {
  let t: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    t = await startTestApp({ SESSION_TTL_SECONDS: '60', SESSION_SWEEP_MS: '500' });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it(
    'the student is still in class, and heard, after the token they joined with expired',
    { timeout: 180_000 },
    async () => {
      const teacherPage = await (await browser.newContext()).newPage();
      await teacherPage.goto(`${t.platformUrl}/?course=phys-101`);
      await teacherPage.click('#launch-instructor');
      await (await frameAt(teacherPage, '/lobby')).getByTestId('start-class').click();
      const teacherRoom = await frameAt(teacherPage, '/room/');
      await teacherRoom.getByTestId('connection').filter({ hasText: 'Live' }).waitFor({ timeout: 15_000 });

      const studentPage = await (await browser.newContext()).newPage();
      await studentPage.goto(`${t.platformUrl}/?course=phys-101`);
      await studentPage.click('#launch-student');
      await (await frameAt(studentPage, '/lobby')).getByTestId('enter-class').click();
      const studentRoom = await frameAt(studentPage, '/room/');
      await studentRoom.getByTestId('connection').filter({ hasText: 'Live' }).waitFor({ timeout: 15_000 });
      const joinedAt = Date.now();
      // Each socket reconnect would show here: count the student's page's websocket connections.
      let sockets = 0;
      studentPage.on('websocket', () => sockets++);

      // Past the first token's 60 s (and a sweep): the student's socket must still be the same, and live.
      await new Promise((r) => setTimeout(r, Math.max(0, joinedAt + 75_000 - Date.now())));
      expect(await studentRoom.getByTestId('connection').textContent()).toContain('Live');
      expect(sockets, 'the student reconnected').toBe(0);

      await studentRoom.getByTestId('chat-input').fill('Still here after the token');
      await studentRoom.getByTestId('chat-send').click();
      await teacherRoom
        .locator('[data-testid=chat-messages] li', { hasText: 'Still here after the token' })
        .waitFor({ timeout: 10_000 });
      expect(await studentRoom.getByTestId('connection').textContent()).toContain('Live');
    },
  );
});
