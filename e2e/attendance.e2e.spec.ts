import { parse } from 'csv-parse/sync';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Browser, BrowserContext, Download, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmtpInbox } from '../backend/src/attendance/alerts/testing/smtp-inbox';
import { startTestApp, TestApp } from '../backend/src/testing/test-app';
import { waitFor } from '../backend/src/testing/wait-for';
import { formatDuration } from '../frontend/src/app/features/attendance/duration';
import { chromiumWithRealTabs } from './attendance-visibility';
import { frameAt, launchChromium } from './browser';

const ADMIN_TOKEN = 'admin-token-for-the-attendance-e2e-0123';

/** What the page itself says about its visibility (the real Page Visibility API, nothing emulated). */
const visibility = (room: Frame) => room.evaluate(() => document.visibilityState);

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

describe('attendance in Chromium: a student behind another tab flagged inactive in class, mailed, the report and the grades after it', () => {
  let t: TestApp;
  let inbox: SmtpInbox;
  let browser: Browser;
  let laptop: Awaited<ReturnType<typeof chromiumWithRealTabs>>;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    inbox = await SmtpInbox.start();
    // Scheduled reports are looked for every second, so the weekly one subscribed to below arrives in the test.
    t = await startTestApp({
      ADMIN_TOKEN,
      SMTP_URL: inbox.url,
      MAIL_FROM: 'Lectern <lectern@school.test>',
      REPORT_DISPATCH_MS: '1000',
    });
    browser = await launchChromium();
    // Grace's laptop: a Chromium of its own whose tabs really hide (see attendance-visibility.ts).
    laptop = await chromiumWithRealTabs([
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ]);
  }, 120_000);
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await laptop?.close();
    await t?.close();
    await inbox?.close();
  });

  const mailTo = async (address: string) =>
    (await inbox.messages()).filter((m) => m.envelopeTo.includes(address.toLowerCase()));

  /** A student enters the class from the LMS page (embedded, as Canvas and Moodle do). */
  async function enter(user: string, viewport?: { width: number; height: number }): Promise<{ room: Frame }> {
    const ctx = await browser.newContext(viewport ? { viewport, isMobile: true, hasTouch: true } : {});
    contexts.push(ctx);
    const page = await ctx.newPage();
    await page.goto(`${t.platformUrl}/launch?course=phys-101&user=${user}&storage=1`);
    const lobby = await frameAt(page, '/lobby');
    await lobby.getByTestId('enter-class').click({ timeout: 20_000 });
    const room = await frameAt(page, '/room/');
    await room.getByTestId('connection').filter({ hasText: 'Live' }).waitFor({ timeout: 15_000 });
    return { room };
  }

  /**
   * A student on the laptop (the Chromium attached over CDP) opens Lectern in a window of its own (the LMS's
   * "new window" presentation), so the class is the tab's page itself. (Embedded, the tab would hide just the
   * same; a window of its own keeps Playwright's frame tracking, over CDP, out of the way under load.)
   */
  async function enterOnLaptop(user: string): Promise<{ room: Frame; page: Page; enteredAt: number }> {
    const page = laptop.context.pages().find((p) => p.url() === 'about:blank') ?? (await laptop.context.newPage());
    await page.goto(`${t.platformUrl}/launch?course=phys-101&user=${user}&presentation=window`);
    await page.goto((await page.locator('#open-tool').getAttribute('href'))!);
    await page.waitForURL((u) => u.pathname.startsWith('/lobby'), { timeout: 45_000 });
    await page.getByTestId('enter-class').waitFor({ timeout: 20_000 });
    const enteredAt = Date.now();
    await page.getByTestId('enter-class').click();
    await page.waitForURL((u) => u.pathname.startsWith('/room/'), { timeout: 45_000 });
    const room = page.mainFrame();
    await room.getByTestId('connection').filter({ hasText: 'Live' }).waitFor({ timeout: 15_000 });
    return { room, page, enteredAt };
  }

  it("the instructor sees a student with the page hidden as inactive; after class the report has each student's numbers and status, and the LMS the computed grades", async () => {
    const teacherCtx = await browser.newContext();
    contexts.push(teacherCtx);

    // The operator's console: the dev LMS platform's attendance defaults (a wrong share refused in words first).
    const adminPage = await teacherCtx.newPage();
    await adminPage.goto(`${t.url}/admin`);
    await adminPage.getByTestId('admin-token').fill(ADMIN_TOKEN);
    await adminPage.getByTestId('admin-sign-in').click();
    const [{ id: platformId }] = await t.db.query(`SELECT id FROM lti_platform WHERE issuer = $1`, [t.platformUrl]);
    await adminPage.getByTestId(`attendance-defaults-${platformId}`).click();
    const defaults = adminPage.locator(`form[data-platform="${platformId}"]`);
    await defaults.getByTestId('platform-own-thresholds').check();
    await defaults.getByTestId('platform-late-after').fill('7');
    await defaults.getByTestId('platform-min-active-percent').fill('140');
    await defaults.getByTestId('platform-zone').fill('Asia/Tokyo');
    await defaults.getByTestId('platform-attendance-save').click();
    expect(await defaults.getByTestId('platform-attendance-problem').textContent()).toContain(
      'Minimum active share: a number from 0 to 100.',
    );
    await defaults.getByTestId('platform-min-active-percent').fill('30');
    await defaults.getByTestId('platform-attendance-save').click();
    await defaults.getByTestId('platform-attendance-saved').waitFor({ timeout: 10_000 });
    const [platformDefaults] = await t.db.query(
      `SELECT thresholds, time_zone FROM attendance_platform_settings WHERE platform_id = $1`,
      [platformId],
    );
    expect(platformDefaults).toEqual({
      thresholds: { lateAfterMinutes: 7, leftEarlyMinutes: 10, minActiveMinutes: null, minActivePercent: 30 },
      time_zone: 'Asia/Tokyo',
    });
    await adminPage.close();

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
    // Until the classroom has its own, the platform's defaults (set in the console above) apply.
    expect(await settings.textContent()).toContain('Late: first joined more than 7 min after the start');
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

    // The course's time zone: a name that is not a zone is refused before sending; Paris is kept.
    const zone = report.getByTestId('course-time-zone');
    expect(await zone.getByTestId('zone-effective').textContent()).toBe('Asia/Tokyo');
    expect(await zone.getByTestId('zone-default').textContent()).toContain("the platform's default");
    await zone.getByTestId('zone-input').fill('Paris');
    await zone.getByTestId('zone-save').click();
    // Rendered on Angular's next change detection, not within the click: waited for, not read at once.
    await zone
      .getByTestId('zone-problem')
      .filter({ hasText: '"Paris" is not a time zone' })
      .waitFor({ timeout: 10_000 });
    await zone.getByTestId('zone-input').fill('Europe/Paris');
    await zone.getByTestId('zone-save').click();
    await zone.getByTestId('zone-saved').waitFor({ timeout: 10_000 });
    expect(await zone.getByTestId('zone-effective').textContent()).toBe('Europe/Paris');
    expect(await report.getByTestId('attendance-zone').textContent()).toContain('Times in Europe/Paris');

    // Guardian contacts pasted as CSV: a file with a bad line is refused whole, the line named; then imported.
    const contacts = report.getByTestId('guardian-import');
    await contacts
      .getByTestId('csv-text')
      .fill(
        'student,guardian_email,guardian_name\ndev-grace,Walter.Hopper@Family.test,Walter Hopper\n\ndev-alan,not-mail\n',
      );
    await contacts.getByTestId('csv-import').click();
    const problems = contacts.getByTestId('csv-problems');
    await problems.waitFor({ timeout: 10_000 });
    expect((await problems.locator('li').allTextContents()).map((s) => s.trim())).toEqual([
      'Line 4: guardian_email is not an email address',
    ]);
    await contacts
      .getByTestId('csv-text')
      .fill('student,guardian_email,guardian_name\ndev-grace,Walter.Hopper@Family.test,Walter Hopper\n');
    await contacts.getByTestId('csv-import').click();
    expect(await contacts.getByTestId('csv-imported').textContent()).toContain(
      'Imported 1 contact(s) for 1 student(s)',
    );
    // Who gets Grace's notes besides her: the imported contact, and her observer in the LMS (NRPS, synced at launch).
    const guardians = report.getByTestId('guardian-list');
    await guardians.locator('tr[data-email="walter.hopper@family.test"]').waitFor({ timeout: 10_000 });
    await waitFor(
      async () => {
        const row = report.locator('[data-testid=guardian-list] tr[data-email="mary.hopper@family.dev-lms.test"]');
        if ((await row.count()) === 1) return (await row.textContent())!.includes('LMS observer');
        // Not synced yet when the page loaded: open the page again.
        await report.locator('a', { hasText: 'Lobby' }).click();
        await (await frameAt(teacherPage, '/lobby')).getByTestId('nav-attendance').click();
        report = await frameAt(teacherPage, '/attendance');
        await report.getByTestId('guardian-list').waitFor({ timeout: 15_000 });
        return false;
      },
      "Grace's LMS observer listed",
      40_000,
    );

    // The course report by mail every week, to the instructor's LMS address.
    const subscription = report.getByTestId('report-subscription');
    await subscription.getByTestId('report-weekly').check();
    await waitFor(
      async () =>
        ((await subscription.getByTestId('subscription-state').textContent()) ?? '').includes('ada@dev-lms.test'),
      'the subscription shown',
    );
    expect(await subscription.getByTestId('subscription-state').textContent()).toContain('The weekly report');
    await report
      .locator('section[aria-labelledby=course-settings-title]')
      .screenshot({ path: '.cache/attendance-course.png' });

    await report.locator('a', { hasText: 'Lobby' }).click();
    lobby = await frameAt(teacherPage, '/lobby');
    await lobby.getByTestId('start-class').click();
    const teacher = await frameAt(teacherPage, '/room/');
    await teacher.getByTestId('connection').filter({ hasText: 'Live' }).waitFor({ timeout: 15_000 });

    // Grace, on her laptop, enters the class, then opens another tab in front of it: still in the class, and
    // to be flagged inactive. The room's page hides for real.
    const grace = await enterOnLaptop('dev-grace');
    expect(await visibility(grace.room)).toBe('visible');
    const otherTab = await laptop.context.newPage();
    await otherTab.goto('about:blank');
    await otherTab.bringToFront();
    await waitFor(async () => (await visibility(grace.room)) === 'hidden', 'the room page hidden behind the new tab');
    const hiddenReported = async () =>
      (
        await t.db.query(
          `SELECT count(*)::int AS n FROM attendance_visibility v JOIN lti_user u ON u.id = v.user_id
            WHERE u.subject = 'dev-grace' AND NOT v.visible`,
        )
      )[0].n as number;
    await waitFor(async () => (await hiddenReported()) >= 1, 'the server told the page is hidden');
    // The longest Grace can have been in the class with the page in front (measured, for the class's length below).
    let graceVisibleMs = Date.now() - grace.enteredAt;
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

    // She comes back to the class's tab for a moment (the flag goes), then puts the other tab in front again
    // until the end.
    const backAt = Date.now();
    await grace.page.bringToFront();
    await waitFor(async () => (await visibility(grace.room)) === 'visible', 'the room page visible again');
    await graceBadge.waitFor({ state: 'detached', timeout: 15_000 });
    await waitFor(async () => (await liveState('Grace Hopper')) === 'active', 'Grace active again', 15_000);
    await otherTab.bringToFront();
    await waitFor(async () => (await visibility(grace.room)) === 'hidden', 'the room page hidden again');
    await graceBadge.waitFor({ timeout: 15_000 });
    graceVisibleMs += Date.now() - backAt;
    // The class goes on long enough that Alan's share active is well above 25% and Grace's well below (under
    // a fifth of her time in class, however long a loaded machine made her visible moments).
    await new Promise((r) => setTimeout(r, Math.max(20_000, 4 * graceVisibleMs)));

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
    // Times in the course's zone (Paris), as on the page.
    const [{ first }] = await t.db.query(
      `SELECT min(s.joined_at) AS first FROM attendance_span s JOIN lti_user u ON u.id = s.user_id WHERE u.name = 'Grace Hopper'`,
    );
    const paris = new Intl.DateTimeFormat('sv-SE', {
      timeZone: 'Europe/Paris',
      dateStyle: 'short',
      timeStyle: 'short',
    });
    expect(csvRows.find((x) => x.student === 'Grace Hopper')!['first_join (Europe/Paris)']).toBe(
      paris.format(new Date(first)),
    );
    // The page writes the time in its language's clock (English: 2:23 PM); the same minute as the file's.
    const shown = /(\d{1,2}):(\d{2})\s*([AP]M)?/i.exec(
      (await row('Grace Hopper').getByTestId('first-join').textContent()) ?? '',
    )!;
    const hour24 = (Number(shown[1]) % 12) + (shown[3]?.toUpperCase() === 'PM' ? 12 : 0);
    const hhmm = `${String(shown[3] ? hour24 : Number(shown[1])).padStart(2, '0')}:${shown[2]}`;
    expect(paris.format(new Date(first))).toContain(hhmm);
    // And as PDF: its text (read by pdf.js) holds the table.
    const [pdfFile, pdf] = await download('session-pdf');
    expect(pdfFile.suggestedFilename()).toMatch(/\.pdf$/);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const text = await pdfText(pdf);
    expect(text).toMatch(/Grace Hopper .*inactive/);
    expect(text).toMatch(/Alan Turing .*present/);
    expect(text).toContain(String(Number(g.score)));
    expect(text).toContain('(Europe/Paris)');

    // The note went by mail (a real SMTP server, asked what arrived) to Grace, to the guardian imported above and
    // to her observer in the LMS; Alan, present, got none.
    for (const address of ['grace@dev-lms.test', 'walter.hopper@family.test', 'mary.hopper@family.dev-lms.test']) {
      const [note] = await waitFor(
        async () => {
          const m = await mailTo(address);
          return m.length ? m : null;
        },
        `the attendance note to ${address}`,
        30_000,
      );
      expect(note.envelopeFrom).toBe('lectern@school.test');
      expect(note.subject).toMatch(/^Attendance: /);
      expect(note.text).toContain('Grace Hopper');
      expect(note.text).toContain('(Europe/Paris)');
    }
    expect(await mailTo('alan@dev-lms.test')).toEqual([]);
    // The weekly course report the instructor subscribed to arrived too, with the CSV and the PDF.
    const weekly = await waitFor(
      async () => (await mailTo('ada@dev-lms.test')).find((m) => m.subject.startsWith('Attendance report:')) ?? null,
      'the weekly course report by mail',
      30_000,
    );
    expect(weekly.attachments.map((x) => x.contentType)).toEqual(['text/csv', 'application/pdf']);

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
  }, 360_000);
});
