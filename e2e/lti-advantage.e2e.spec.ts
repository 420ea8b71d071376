import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevLmsServices } from '../backend/src/dev-platform/dev-lms-services';
import { GRADES_QUEUE } from '../backend/src/grades/grades.service';
import { startTestApp, TestApp } from '../backend/src/testing/test-app';
import { waitFor } from '../backend/src/testing/wait-for';
import { frameAt, launchChromium } from './browser';

describe('LTI Advantage in Chromium: deep linking, grades, roster, dynamic registration', () => {
  let t: TestApp;
  let browser: Browser;
  let lms: DevLmsServices;

  beforeAll(async () => {
    // Grade retries are ten minutes apart here: the test moves the retry clock itself.
    t = await startTestApp({ GRADE_RETRY_BASE_MS: '600000' });
    lms = t.app.get(DevLmsServices);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await lms?.setFault('ags', null);
    await browser?.close();
    await t?.close();
  });

  it('an instructor deep-links a graded classroom and its gradebook column appears in the LMS', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${t.platformUrl}/?course=phys-101`);
    await page.click('#deep-link');
    const tool = await frameAt(page, '/deep-link');
    await tool.getByTestId('dl-title').fill('Thermodynamics live');
    await tool.getByTestId('dl-graded').check();
    await tool.getByTestId('dl-points').fill('20');
    await tool.getByTestId('dl-create').click();
    const done = await frameAt(page, '/dev-platform/deep-link-return');
    await done.locator('#deep-link-done').waitFor({ timeout: 15_000 });
    expect(await done.locator('li').first().textContent()).toContain('Thermodynamics live');

    await page.goto(`${t.platformUrl}/gradebook?course=phys-101`);
    expect(await page.locator('#gradebook th[data-lineitem]').allTextContents()).toEqual([
      expect.stringContaining('Attendance: Thermodynamics live'),
    ]);
    expect(await page.locator('#gradebook th[data-lineitem]').first().textContent()).toContain('20 pts');
    await context.close();
  });

  it('a grade set in Lectern appears in the LMS gradebook; with AGS down it waits and arrives when AGS is back', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${t.platformUrl}/?course=phys-101`);
    await page.click('#placed-links a[data-launch-link-instructor]');
    const lobby = await frameAt(page, '/lobby');
    expect(await lobby.getByTestId('course-title').textContent()).toContain('Introduction to Physics');
    await lobby.getByTestId('nav-grades').click();
    const grades = await frameAt(page, '/grades');
    const gradeRow = (subject: string) => grades.locator(`tr[data-student="${subject}"]`);
    // The roster synced after the launch lists every student, not only those who came.
    await gradeRow('dev-gen-100').waitFor({ timeout: 20_000 });

    await gradeRow('dev-grace').getByTestId('score-input').fill('17');
    await grades.getByTestId('save-grades').click();
    await waitFor(
      async () => (await gradeRow('dev-grace').getByTestId('grade-status').textContent())?.includes('in the gradebook'),
      'the grade in the gradebook',
    );

    // The LMS gradebook goes down: the next grade waits, with its reason shown.
    const lmsPage = await context.newPage();
    await lmsPage.goto(`${t.platformUrl}/gradebook?course=phys-101`);
    await lmsPage.click('#ags-toggle');
    expect(await lmsPage.locator('#ags-state').textContent()).toBe('DOWN');
    await gradeRow('dev-gen-100').getByTestId('score-input').fill('12');
    await grades.getByTestId('save-grades').click();
    await waitFor(
      async () => (await gradeRow('dev-gen-100').getByTestId('grade-status').textContent())?.includes('503'),
      'the failed attempt shown',
    );
    expect(await gradeRow('dev-gen-100').getByTestId('grade-status').textContent()).toContain('waiting to post');

    // AGS is back; the retry (ten minutes away) is brought forward instead of slept for.
    await lmsPage.click('#ags-toggle');
    expect(await lmsPage.locator('#ags-state').textContent()).toBe('up');
    const queue = t.app.get<Queue>(getQueueToken(GRADES_QUEUE));
    for (const job of await waitFor(
      async () => ((await queue.getDelayed()).length ? queue.getDelayed() : null),
      'the delayed retry',
    ))
      await job.promote();
    await waitFor(
      async () =>
        (await gradeRow('dev-gen-100').getByTestId('grade-status').textContent())?.includes('in the gradebook'),
      'the retried grade',
    );

    await lmsPage.reload();
    expect(await lmsPage.locator('td[data-user="dev-grace"]').textContent()).toContain('17');
    expect(await lmsPage.locator('td[data-user="dev-gen-100"]').textContent()).toContain('12');
    await context.close();
  });

  it('the instructor sees a roster of 250+ members synced over several pages, with those who never came', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${t.platformUrl}/?course=phys-101`);
    await page.click('#launch-instructor');
    const lobby = await frameAt(page, '/lobby');
    await lobby.getByTestId('nav-roster').click();
    const roster = await frameAt(page, '/roster');
    await roster.getByTestId('roster-sync-now').click();
    await waitFor(
      async () => /Last updated from the LMS/.test((await roster.getByTestId('roster-sync').textContent()) ?? ''),
      'the sync summary',
      20_000,
    );
    await waitFor(
      async () => Number(await roster.getByTestId('roster-count').textContent()) === 258,
      '258 active members',
    );
    expect(Number(await roster.getByTestId('roster-never').textContent())).toBeGreaterThan(250);
    expect(await roster.getByTestId('roster-shown').textContent()).toContain('Showing 263 of 263 people');
    await context.close();
  });

  it('an LMS admin registers Lectern by pasting one URL, and the new registration launches', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${t.platformUrl}/admin/tools`);
    const before = await page.locator('#tools tr[data-client]').count();
    await page.click('#register-tool');
    await page.waitForURL(/\/admin\/tools$/, { timeout: 20_000 });
    const rows = page.locator('#tools tr[data-client^="dyn-"]');
    expect(await page.locator('#tools tr[data-client]').count()).toBe(before + 1);
    const clientId = await rows.last().getAttribute('data-client');
    const [{ source }] = await t.db.query(`SELECT source FROM lti_platform WHERE client_id = $1`, [clientId]);
    expect(source).toBe('dynamic');

    await rows.last().locator('a[data-launch-client]').click();
    const lobby = await frameAt(page, '/lobby');
    expect(await lobby.getByTestId('user-name').textContent()).toBe('Ada Lovelace');
    await context.close();
  });
});
