import type { Browser, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, TestApp } from '../backend/src/testing/test-app';
import { frameAt, launchChromium } from './browser';

const text = async (f: Frame | Page, testId: string) =>
  (await f.getByTestId(testId).textContent({ timeout: 15_000 }))?.trim();

describe('launching Lectern from the dev LMS in Chromium', () => {
  let t: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    t = await startTestApp();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('lands the instructor in the lobby inside the course page, and starts a class', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${t.platformUrl}/?course=phys-101`);
    expect(await page.locator('#course-title').textContent()).toContain('Introduction to Physics');
    await page.click('#launch-instructor');
    const lobby = await frameAt(page, '/lobby');
    expect(await text(lobby, 'course-title')).toBe('Introduction to Physics');
    expect(await text(lobby, 'user-name')).toBe('Ada Lovelace');
    expect(await text(lobby, 'user-role')).toBe('Instructor');

    await lobby.getByTestId('start-class').click();
    const room = await frameAt(page, '/room/');
    await room.getByTestId('connection').filter({ hasText: 'Live' }).waitFor({ timeout: 15_000 });
    const [row] = await t.db.query(`SELECT count(*)::int AS n FROM live_session WHERE ended_at IS NULL`);
    expect(row.n).toBe(1);
    await context.close();
  });

  it('shows the student that the class is live, and lets them enter', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${t.platformUrl}/?course=phys-101`);
    await page.click('#launch-student');
    const lobby = await frameAt(page, '/lobby');
    expect(await text(lobby, 'user-name')).toBe('Grace Hopper');
    expect(await text(lobby, 'user-role')).toBe('Student');
    expect(await text(lobby, 'class-live')).toContain('Class is live');
    expect(await lobby.getByTestId('start-class').count()).toBe(0);
    await lobby.getByTestId('enter-class').click();
    const room = await frameAt(page, '/room/');
    await room.getByTestId('connection').filter({ hasText: 'Live' }).waitFor({ timeout: 15_000 });
    await context.close();
  });

  it('lets a custom user launch as a learner', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${t.platformUrl}/?course=hist-210`);
    await page.fill('#custom-form input[name=name]', 'Marie Curie');
    await page.click('#custom-form button');
    const lobby = await frameAt(page, '/lobby');
    expect(await text(lobby, 'course-title')).toBe('Modern History');
    expect(await text(lobby, 'user-name')).toBe('Marie Curie');
    expect(await text(lobby, 'class-not-live')).toBe('No class is live right now.');
    await context.close();
  });

  it('binds a launch in a window of its own with the first-party login cookie', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${t.platformUrl}/?course=hist-210`);
    await page.check('input[name=presentation][value=window]');
    await page.click('#launch-instructor');
    const launchPosts: string[] = [];
    context.on(
      'request',
      (r) => r.method() === 'POST' && r.url().endsWith('/lti') && launchPosts.push(r.postData() ?? ''),
    );
    const [popup] = await Promise.all([context.waitForEvent('page'), page.click('#open-tool')]);
    await popup.waitForURL(/\/lobby$/, { timeout: 20_000 });
    expect(await text(popup, 'user-name')).toBe('Ada Lovelace');
    expect(await text(popup, 'course-title')).toBe('Modern History');
    expect(launchPosts.some((b) => b.includes('id_token='))).toBe(true);
    expect(launchPosts.some((b) => b.includes('lectern_ticket='))).toBe(false);
    await context.close();
  });

  describe('with third-party cookies blocked', () => {
    let strict: Browser;
    beforeAll(async () => {
      strict = await launchChromium({ blockThirdPartyCookies: true });
    });
    afterAll(() => strict?.close());

    it('binds the launch through LTI client-side storage and lands in the lobby in the iframe', async () => {
      const context = await strict.newContext();
      const page = await context.newPage();
      const launchPosts: string[] = [];
      page.on(
        'request',
        (r) => r.method() === 'POST' && r.url().endsWith('/lti') && launchPosts.push(r.postData() ?? ''),
      );
      await page.goto(`${t.platformUrl}/?course=phys-101`);
      await page.click('#launch-student');
      const lobby = await frameAt(page, '/lobby');
      expect(await text(lobby, 'user-name')).toBe('Grace Hopper');
      // The cookie was blocked, so the launch went through the storage check and its ticket.
      expect(launchPosts.some((b) => b.includes('lectern_ticket='))).toBe(true);
      await context.close();
    });

    it('falls back to a new window when the platform offers no client-side storage', async () => {
      const context = await strict.newContext();
      const page = await context.newPage();
      await page.goto(`${t.platformUrl}/?course=phys-101`);
      await page.uncheck('input[name=storage]');
      await page.click('#launch-student');
      const frame = await frameAt(page, '/lti');
      const link = frame.locator('#open-new-window');
      await link.waitFor({ timeout: 15_000 });
      const [popup] = await Promise.all([context.waitForEvent('page'), link.click()]);
      await popup.waitForURL(/\/lobby$/, { timeout: 20_000 });
      expect(await text(popup, 'user-name')).toBe('Grace Hopper');
      expect(await text(popup, 'course-title')).toBe('Introduction to Physics');
      await context.close();
    });
  });
});
