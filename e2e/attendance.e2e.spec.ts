import { parse } from 'csv-parse/sync';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Browser, BrowserContext, Download, Frame } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, TestApp } from '../backend/src/testing/test-app';
import { waitFor } from '../backend/src/testing/wait-for';
import { formatDuration } from '../frontend/src/app/features/attendance/duration';
import { frameAt, launchChromium } from './browser';

/**
 * Hides or shows the room's page as a second tab in front (or a minimised window) would. Headless Chromium
 * keeps every tab visible whatever is in front (checked: another tab brought to front, the window minimised
 * through CDP, focus emulation off), so the Page Visibility API is emulated in the page itself: the state the
 * app reads and the event it listens to, exactly as the browser would give them.
 */
async function setVisible(room: Frame, visible: boolean): Promise<void> {
  await room.evaluate((v) => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (v ? 'visible' : 'hidden') });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => !v });
    document.dispatchEvent(new Event('visibilitychange'));
  }, visible);
}

const require = createRequire(import.meta.url);

/** The text of every page of a PDF, extracted by pdf.js (a reader of its own, not the writer). */
async function pdfText(pdf: Buffer): Promise<string> {
  const { getDocument } = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const fonts = path.join(path.dirname(require.resolve('pdfjs-dist/package.json')), 'standard_fonts') + path.sep;
  const doc = await getDocument({ data: new Uint8Array(pdf), standardFontDataUrl: fonts }).promise;
  const pages: string[] = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const content = await (await doc.getPage(i)).getTextContent();
    pages.push(content.items.map((item) => ('str' in item ? item.str : '')).join(' '));
  }
  await doc.cleanup();
  return pages.join('\n').replace(/\s+/g, ' ');
}

describe('attendance in Chromium: a hidden page flagged inactive in class, the report and the grades after it', () => {
  let t: TestApp;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    browser = await launchChromium();
  });
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await t?.close();
  });

  async function enter(user: string, viewport?: { width: number; height: number }): Promise<Frame> {
    const ctx = await browser.newContext(viewport ? { viewport, isMobile: true, hasTouch: true } : {});
    contexts.push(ctx);
    const page = await ctx.newPage();
    await page.goto(`${t.platformUrl}/launch?course=phys-101&user=${user}&storage=1`);
    const lobby = await frameAt(page, '/lobby');
    await lobby.getByTestId('enter-class').click({ timeout: 20_000 });
    const room = await frameAt(page, '/room/');
    await room.getByTestId('connection').filter({ hasText: 'Live' }).waitFor({ timeout: 15_000 });
    return room;
  }

  it("the instructor sees a student with the page hidden as inactive; after class the report has each student's numbers and status, and the LMS the computed grades", async () => {
    const teacherCtx = await browser.newContext();
    contexts.push(teacherCtx);
    const teacherPage = await teacherCtx.newPage();
    await teacherPage.goto(`${t.platformUrl}/?course=phys-101`);
    await teacherPage.click('#launch-instructor');

    // Before class: attendance graded out of 10, this classroom's own thresholds, graded by the share active.
    let lobby = await frameAt(teacherPage, '/lobby');
    await lobby.getByTestId('nav-grades').click();
    const grades = await frameAt(teacherPage, '/grades');
    await grades.getByTestId('attendance-points').fill('10');
    await grades.getByTestId('save-points').click();
    await waitFor(
      async () => (await grades.getByTestId('attendance-points').inputValue()) === '10',
      'the points saved',
    );
    await grades.locator('a', { hasText: 'Lobby' }).click();
    lobby = await frameAt(teacherPage, '/lobby');
    await lobby.getByTestId('nav-attendance').click();
    let report = await frameAt(teacherPage, '/attendance');
    const settings = report.getByTestId('attendance-settings');
    await settings.waitFor({ timeout: 15_000 });
    await settings.getByTestId('own-thresholds').check();
    // A wrong value is refused in words, before anything is sent.
    await settings.getByTestId('min-active-percent').fill('150');
    await settings.getByTestId('settings-save').click();
    expect(await settings.getByTestId('settings-error').textContent()).toContain(
      'Minimum active share: a number from 0 to 100.',
    );
    await settings.getByTestId('min-active-percent').fill('25');
    await settings.getByTestId('min-active-minutes').fill('');
    await settings.getByTestId('mode-percent').check();
    await settings.getByTestId('auto-grade').check();
    await settings.getByTestId('settings-save').click();
    await settings.getByTestId('settings-saved').waitFor({ timeout: 10_000 });
    expect(await settings.getByTestId('grading-words').textContent()).toContain(
      'share of the class spent active × 10 points',
    );
    const [saved] = await t.db.query(`SELECT thresholds, grading_mode FROM attendance_classroom_settings LIMIT 1`);
    expect(saved).toMatchObject({ grading_mode: 'percent', thresholds: { minActivePercent: 25 } });

    await report.locator('a', { hasText: 'Lobby' }).click();
    lobby = await frameAt(teacherPage, '/lobby');
    await lobby.getByTestId('start-class').click();
    const teacher = await frameAt(teacherPage, '/room/');
    await teacher.getByTestId('connection').filter({ hasText: 'Live' }).waitFor({ timeout: 15_000 });

    const grace = await enter('dev-grace');
    // Grace puts another tab in front as soon as she is in: still in the class, and to be flagged inactive.
    await setVisible(grace, false);
    // Alan is on a phone; his page stays in front the whole class.
    await enter('dev-alan', { width: 390, height: 844 });

    if (await teacher.getByTestId('tab-people').isVisible()) await teacher.getByTestId('tab-people').click();
    const live = teacher.getByTestId('attendance-live-table');
    const liveState = (name: string) => live.locator(`tr[data-student="${name}"]`).getAttribute('data-state');
    const graceBadge = teacher.locator(
      '[data-testid=participants] li[data-participant="Grace Hopper"] [data-testid=inactive]',
    );
    await graceBadge.waitFor({ timeout: 15_000 });
    await waitFor(async () => (await liveState('Alan Turing')) === 'active', 'Alan here and active', 15_000);
    expect(await liveState('Grace Hopper')).toBe('inactive');
    expect(await live.locator('tr[data-student="Grace Hopper"] [data-testid=live-state]').textContent()).toContain(
      'Inactive: page hidden',
    );
    expect(
      await teacher
        .locator('[data-testid=participants] li[data-participant="Alan Turing"] [data-testid=inactive]')
        .count(),
    ).toBe(0);
    expect(await teacher.getByTestId('attendance-summary').textContent()).toMatch(/2 here, 1 inactive/);
    await teacher.page().screenshot({ path: '.cache/attendance-live.png' });

    // She comes back for a moment (the flag goes), then hides the page again until the end.
    await setVisible(grace, true);
    await graceBadge.waitFor({ state: 'detached', timeout: 15_000 });
    await waitFor(async () => (await liveState('Grace Hopper')) === 'active', 'Grace active again', 15_000);
    await setVisible(grace, false);
    await graceBadge.waitFor({ timeout: 15_000 });
    // The class goes on long enough that Alan's share active is well above 25% and Grace's well below.
    await new Promise((r) => setTimeout(r, 20_000));

    await teacher.getByTestId('end-class').click();
    await teacher.getByTestId('end-for-everyone').click(); // End class asks first
    await teacher.getByTestId('room-ended').waitFor({ timeout: 15_000 });
    await teacher.getByTestId('ended-attendance').click();
    report = await frameAt(teacherPage, '/attendance');
    const session = report.getByTestId('session-report');
    await session.waitFor({ timeout: 15_000 });
    const row = (name: string) => session.locator(`tr[data-student="${name}"]`);
    await row('Grace Hopper').waitFor({ timeout: 10_000 });

    // The numbers on the page are the ones the server recorded at the class's end.
    const recorded: Array<{ name: string; status: string; present_ms: string; active_ms: string; score: string }> =
      await t.db.query(
        `SELECT u.name, g.status, g.present_ms, g.active_ms, g.score
           FROM attendance_grade g JOIN lti_user u ON u.id = g.user_id ORDER BY u.name`,
      );
    const byName = new Map(recorded.map((r) => [r.name, r]));
    const g = byName.get('Grace Hopper')!;
    const a = byName.get('Alan Turing')!;
    expect([g.status, a.status], JSON.stringify(recorded)).toEqual(['inactive', 'present']);
    // Grace was in the class as long as Alan, or about, but active only a moment.
    expect(Number(g.present_ms)).toBeGreaterThan(15_000);
    expect(Number(g.active_ms)).toBeLessThan(Number(g.present_ms) / 2);
    expect(Number(a.active_ms)).toBeGreaterThan(15_000);
    for (const [name, r] of [
      ['Grace Hopper', g],
      ['Alan Turing', a],
    ] as const) {
      expect(await row(name).getAttribute('data-status')).toBe(r.status);
      expect((await row(name).getByTestId('present').textContent())!.trim()).toBe(formatDuration(Number(r.present_ms)));
      expect((await row(name).getByTestId('active').textContent())!.trim()).toContain(
        formatDuration(Number(r.active_ms)),
      );
      expect((await row(name).getByTestId('first-join').textContent())!.trim()).toMatch(/^\d\d:\d\d/);
      expect((await row(name).getByTestId('grade').textContent())!.trim()).toContain(
        `${Number(r.score)} / 10 (computed)`,
      );
    }
    // Why Grace is inactive, with the threshold that decided it.
    expect(await row('Grace Hopper').getByTestId('status').textContent()).toContain('Inactive');
    expect(await row('Grace Hopper').getByTestId('status-reason').textContent()).toContain(
      'needs 25% of the class active',
    );
    expect(await row('Alan Turing').getByTestId('status-reason').textContent()).toContain('On time');
    await report.getByTestId('session-thresholds').locator('summary').click();
    expect(await report.getByTestId('session-thresholds').textContent()).toContain(
      'Inactive: less than 25% of the class active',
    );
    // The course's report over the last 30 days counts this class.
    const courseRow = report.locator('[data-testid=course-students] tr[data-student="Grace Hopper"]');
    expect(await courseRow.locator('[data-count=inactive]').textContent()).toBe('1');
    await teacherPage.screenshot({ path: '.cache/attendance-report.png' });

    // The class's report downloaded as CSV (with the session's token): it parses back to the same numbers.
    const download = async (testId: string): Promise<[Download, Buffer]> => {
      const [d] = await Promise.all([teacherPage.waitForEvent('download'), report.getByTestId(testId).click()]);
      return [d, fs.readFileSync((await d.path())!)];
    };
    const [csvFile, csv] = await download('session-csv');
    expect(csvFile.suggestedFilename()).toMatch(/^attendance-[\w-]+-\d{4}-\d{2}-\d{2}\.csv$/);
    const csvRows = parse(csv, { columns: true }) as Record<string, string>[];
    for (const [name, r] of [
      ['Grace Hopper', g],
      ['Alan Turing', a],
    ] as const) {
      const line = csvRows.find((x) => x.student === name);
      expect(line, csv.toString()).toMatchObject({
        present_minutes: (Number(r.present_ms) / 60_000).toFixed(1),
        active_minutes: (Number(r.active_ms) / 60_000).toFixed(1),
        status: r.status,
        grade: String(Number(r.score)),
      });
    }
    // And as PDF: its text (read by pdf.js) holds the table.
    const [pdfFile, pdf] = await download('session-pdf');
    expect(pdfFile.suggestedFilename()).toMatch(/\.pdf$/);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const text = await pdfText(pdf);
    expect(text).toMatch(/Grace Hopper .*inactive/);
    expect(text).toMatch(/Alan Turing .*present/);
    expect(text).toContain(String(Number(g.score)));

    // The LMS gradebook has the computed attendance grades (sent through the outbox at the class's end).
    await waitFor(
      async () => {
        const [{ sent }] = await t.db.query(
          `SELECT count(*)::int AS sent FROM attendance_grade g
             JOIN grade_outbox o ON o.id = g.outbox_id JOIN lti_user u ON u.id = g.user_id
            WHERE o.status = 'sent' AND u.name IN ('Grace Hopper', 'Alan Turing')`,
        );
        return sent === 2;
      },
      'both attendance grades posted through the outbox',
      30_000,
    );
    const lms = await teacherCtx.newPage();
    await lms.goto(`${t.platformUrl}/gradebook?course=phys-101`);
    const column = lms.locator('#gradebook th[data-lineitem]', { hasText: 'Attendance:' });
    expect(await column.count(), await lms.locator('#gradebook').innerText()).toBe(1);
    const lineItem = await column.getAttribute('data-lineitem');
    for (const [user, r] of [
      ['dev-grace', g],
      ['dev-alan', a],
    ] as const) {
      expect(await lms.locator(`td[data-lineitem="${lineItem}"][data-user="${user}"]`).textContent()).toMatch(
        new RegExp(`^${Number(r.score)} / 10`),
      );
    }
    expect(Number(a.score)).toBeGreaterThan(Number(g.score));
    // A class of its own length (15 s hidden on purpose) plus three launches on a shared machine.
  }, 240_000);
});
