import { parse } from 'csv-parse/sync';
import fs from 'node:fs';
import type { Browser, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientEvents } from '../backend/src/contracts/realtime';
import { AttendanceService } from '../backend/src/attendance/attendance.service';
import { LaunchClient } from '../backend/src/testing/lti-client';
import { RoomClient } from '../backend/src/testing/room-client';
import { startTestApp, TestApp } from '../backend/src/testing/test-app';
import { waitFor } from '../backend/src/testing/wait-for';
import { frameAt, launchChromium } from './browser';

/** A laptop in the LMS frame, as instructors run these pages. */
const LAPTOP = { width: 1366, height: 768 };

const text = async (f: Frame, testId: string) => ((await f.getByTestId(testId).textContent()) ?? '').trim();
/** Waits until the element's text contains `part` (the page renders after the click, not during it). */
const shows = (f: Frame, testId: string, part: string) =>
  waitFor(async () => (await text(f, testId)).includes(part), `${testId} to show "${part}"`, 10_000);

describe('roster and grades at the scale of a real course (PHYS-101, 263 members), and errors that say what to do', () => {
  let t: TestApp;
  let browser: Browser;
  let client: LaunchClient;
  const sockets: RoomClient[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    browser = await launchChromium();
    client = new LaunchClient(t);
    // A class of the classroom happened: Grace and Marie came and stayed, Alan never came.
    const teacher = await client.launch('phys-101', 'dev-ada');
    const grace = await client.launch('phys-101', 'dev-grace');
    await client.launch('phys-101', 'dev-alan');
    const marie = await client.launchAs('phys-101', 'Marie Curie');
    expect(
      (
        await client.api('/api/classroom/grading', teacher, {
          method: 'PUT',
          body: JSON.stringify({ attendancePoints: 10 }),
        })
      ).status,
    ).toBe(200);
    // Attendance's own grading at the end of class is off here: the instructor grades on the page.
    const settings = await client.api('/api/attendance/classroom/settings', teacher, {
      method: 'PUT',
      body: JSON.stringify({ thresholds: null, gradingMode: 'percent', autoGrade: false }),
    });
    expect(settings.status).toBe(200);
    const started = (await (await client.api('/api/classroom/sessions', teacher, { method: 'POST' })).json()) as {
      session: { id: string };
    };
    const sessionId = started.session.id;
    for (const token of [teacher, grace, marie]) {
      const c = new RoomClient(t.url, token);
      sockets.push(c);
      await c.connected();
      const ack = await c.emit(ClientEvents.join, { sessionId });
      if (!ack.ok) throw new Error(JSON.stringify(ack.error));
    }
    await new Promise((r) => setTimeout(r, 1500));
    const ended = await client.api(`/api/classroom/sessions/${sessionId}/end`, teacher, { method: 'POST' });
    expect(ended.status).toBe(200);
    await t.app.get(AttendanceService).settled();
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await browser?.close();
    await t?.close();
  });

  const instructorPage = async (): Promise<{ page: Page; lobby: Frame }> => {
    const context = await browser.newContext({ viewport: LAPTOP, acceptDownloads: true });
    const page = await context.newPage();
    await page.goto(`${t.platformUrl}/?course=phys-101`);
    await page.click('#launch-instructor');
    return { page, lobby: await frameAt(page, '/lobby') };
  };

  it('roster: search, filter by status, sort, pages, and a CSV of what is shown that parses back', async () => {
    const { page, lobby } = await instructorPage();
    await lobby.getByTestId('nav-roster').click();
    const roster = await frameAt(page, '/roster');
    await roster.getByTestId('roster-sync-now').click();
    await waitFor(async () => Number(await text(roster, 'roster-count')) === 259, '259 active members', 30_000);
    // 263 from the LMS (5 inactive) + Marie, who launched but is not on the LMS roster.
    expect(await text(roster, 'roster-shown')).toBe('Showing 264 of 264 people.');
    expect(await text(roster, 'roster-sync')).toMatch(/^Last updated from the LMS /);
    expect(await text(roster, 'roster-sync')).not.toMatch(/pages/);
    // Fifty rows a page, five pages.
    expect(await roster.locator('tbody tr').count()).toBe(50);
    expect(await text(roster, 'page-of')).toBe('Page 1 of 6');
    await roster.getByTestId('page-next').click();
    await shows(roster, 'page-of', 'Page 2 of 6');

    // Search: every word, any case, back to page 1.
    await roster.getByTestId('roster-search').fill('amara ABEBE');
    await shows(roster, 'page-of', 'Page 1 of 1');
    const found = await roster.locator('tbody tr td:first-child').allTextContents();
    expect(found.length).toBeGreaterThan(0);
    for (const name of found) expect(name).toMatch(/Amara Abebe/);

    // Filter: the people who left the course (NRPS Inactive), then those who never attended.
    await roster.getByTestId('roster-search').fill('');
    await roster.getByTestId('roster-filter').selectOption('left-course');
    await shows(roster, 'roster-shown', 'Showing 5 of 264 people.');
    await roster.getByTestId('roster-filter').selectOption('never-attended');
    await shows(roster, 'roster-shown', `Showing ${259 - 3} of 264`);
    const never = Number(/Showing (\d+)/.exec(await text(roster, 'roster-shown'))![1]);
    expect(never).toBe(259 - 3); // Ada, Grace and Marie came to the class

    // Sort by last attended, newest first: those who came are on top, with a date, not "Never".
    await roster.getByTestId('roster-filter').selectOption('all');
    await roster.getByTestId('sort-last-attended').click();
    await roster.getByTestId('sort-last-attended').click();
    await waitFor(
      async () => (await roster.locator('th[aria-sort="descending"]').count()) === 1,
      'sorted newest first',
    );
    const top = await roster
      .locator('tbody tr')
      .evaluateAll((rows) =>
        rows.slice(0, 4).map((r) => [r.children[0].textContent!.trim(), r.children[3].textContent!.trim()]),
      );
    expect(
      top
        .slice(0, 3)
        .map(([n]) => n.replace(/\s+\S+@\S+$/, ''))
        .sort(),
    ).toEqual(['Ada Lovelace', 'Grace Hopper', 'Marie Curie']);
    expect(top[0][1]).not.toBe('Never');
    expect(top[3][1]).toBe('Never');

    // Export: every row the search and filter show (all pages), parsed back.
    await roster.getByTestId('roster-filter').selectOption('never-attended');
    const [download] = await Promise.all([page.waitForEvent('download'), roster.getByTestId('roster-export').click()]);
    const rows = parse(fs.readFileSync((await download.path())!, 'utf8'), { bom: true, columns: true }) as Array<
      Record<string, string>
    >;
    expect(download.suggestedFilename()).toMatch(/^roster-\d{4}-\d{2}-\d{2}\.csv$/);
    expect(rows).toHaveLength(never);
    expect(Object.keys(rows[0])).toEqual([
      'Name',
      'Email',
      'Role',
      'In the LMS',
      'Last attended (UTC)',
      'Classes attended',
      'LMS id',
    ]);
    expect(rows.find((r) => r['LMS id'] === 'dev-alan')).toMatchObject({
      Name: 'Alan Turing',
      Role: 'Student',
      'In the LMS': 'Active',
      'Last attended (UTC)': 'Never',
      'Classes attended': '0',
    });
    expect(rows.some((r) => r['LMS id'] === 'dev-grace')).toBe(false);
    await page.context().close();
  });

  it('grades: attendance beside each student, full points to everyone present in one click, one save that confirms', async () => {
    const { page, lobby } = await instructorPage();
    await lobby.getByTestId('nav-grades').click();
    const grades = await frameAt(page, '/grades');
    const row = (subject: string) => grades.locator(`tr[data-student="${subject}"]`);
    await row('dev-gen-100').waitFor({ timeout: 30_000 });
    const marie = (await t.db.query(`SELECT subject FROM lti_user WHERE name = 'Marie Curie'`))[0].subject as string;
    await waitFor(
      async () => (await row('dev-grace').getByTestId('attendance-cell').textContent())?.includes('Present'),
      'Grace present',
    );
    expect(await row(marie).getByTestId('attendance-cell').textContent()).toContain('Present');
    expect(await row('dev-alan').getByTestId('attendance-cell').textContent()).toContain('Absent');
    expect(await row('dev-gen-100').getByTestId('attendance-cell').textContent()).toContain('Absent');

    expect(await grades.getByTestId('save-grades').isDisabled()).toBe(true);
    await grades.getByTestId('grade-present').click();
    await shows(grades, 'grades-notice', 'Filled in 10 points for 2 students present');
    expect(await row('dev-grace').getByTestId('score-input').inputValue()).toBe('10');
    expect(await row(marie).getByTestId('score-input').inputValue()).toBe('10');
    expect(await row('dev-alan').getByTestId('score-input').inputValue()).toBe('');
    // A score typed by hand beside them, and a bad one that holds the save back until fixed.
    await row('dev-alan').getByTestId('score-input').fill('11');
    expect(await row('dev-alan').locator('small.error').textContent()).toContain('cannot be above 10');
    await grades.getByTestId('save-grades').click();
    await shows(grades, 'grades-notice', 'Fix the scores marked in red first');
    expect(Number((await t.db.query(`SELECT count(*)::int AS n FROM grade_outbox`))[0].n)).toBe(0);
    await row('dev-alan').getByTestId('score-input').fill('2,5');
    await shows(grades, 'save-grades', 'Save grades (3 changed)');
    await grades.getByTestId('save-grades').click();
    await waitFor(async () => (await text(grades, 'grades-notice')).startsWith('Saved 3 grades'), 'the save confirmed');
    expect(await text(grades, 'grades-notice')).toBe('Saved 3 grades. They are on their way to the LMS gradebook.');
    const stored = await t.db.query(
      `SELECT u.subject, g.score_given::float AS score FROM grade_outbox g JOIN lti_user u ON u.id = g.user_id ORDER BY u.subject`,
    );
    expect(stored).toEqual(
      [
        { subject: 'dev-alan', score: 2.5 },
        { subject: 'dev-grace', score: 10 },
        { subject: marie, score: 10 },
      ].sort((a, b) => (a.subject < b.subject ? -1 : 1)),
    );
    await waitFor(
      async () => (await row('dev-grace').getByTestId('grade-status').textContent())?.includes('in the gradebook'),
      'the grade in the LMS gradebook',
    );
    expect(await grades.getByTestId('save-grades').isDisabled()).toBe(true);
    await page.context().close();
  });

  it('a reloaded frame (the browser keeps no storage for it) says to open Lectern again, with a button back to the LMS', async () => {
    const { page, lobby } = await instructorPage();
    await lobby.getByTestId('course-title').waitFor();
    // Chromium denies storage to this third-party frame, so the session lived in memory: a reload loses it.
    expect(
      await lobby.evaluate(() => {
        try {
          return typeof sessionStorage.length;
        } catch {
          return 'denied';
        }
      }),
    ).toBe('denied');
    await lobby.evaluate(() => setTimeout(() => location.reload(), 0));
    await new Promise((r) => setTimeout(r, 500));
    const again = await frameAt(page, '/lobby');
    const notice = again.getByTestId('lobby-error');
    await notice.waitFor({ timeout: 15_000 });
    const words = (await notice.textContent()) ?? '';
    expect(words).toContain('Your session in this window has ended.');
    expect(words).toContain('Open Lectern again from your course in the LMS.');
    expect(words).not.toContain('session token');
    const button = again.getByTestId('relaunch-button');
    expect(await button.getAttribute('href')).toMatch(new RegExp(`^${new URL(t.platformUrl).origin}/`));
    // The whole LMS page goes there (the dev LMS lives under /dev-platform/ of that address; Canvas's is its dashboard).
    await button.click();
    await page.waitForURL((u) => u.origin === new URL(t.platformUrl).origin && u.pathname === '/', { timeout: 15_000 });
    await page.context().close();
  });

  it('a window whose session is refused names the course to go back to (the LMS return URL of the launch)', async () => {
    const context = await browser.newContext({ viewport: LAPTOP });
    const page = await context.newPage();
    await page.goto(`${t.platformUrl}/?course=phys-101`);
    await page.check('input[name="presentation"][value="window"]');
    await page.click('#launch-instructor');
    const [tool] = await Promise.all([page.waitForEvent('popup'), page.click('#open-tool')]);
    await tool.getByTestId('course-title').waitFor({ timeout: 30_000 });
    // A token the server refuses (as after its secret changed), then a reload: the API answers 401.
    await tool.evaluate(() => {
      const s = JSON.parse(sessionStorage.getItem('lectern.session')!);
      sessionStorage.setItem('lectern.session', JSON.stringify({ ...s, token: `${s.token}x` }));
    });
    await tool.reload();
    const notice = tool.getByTestId('lobby-error');
    await notice.waitFor({ timeout: 15_000 });
    expect(await notice.textContent()).toContain('Open Lectern again from your course in the LMS.');
    expect(await notice.textContent()).not.toContain('The session token is not valid');
    expect(await tool.getByTestId('relaunch-button').getAttribute('href')).toBe(`${t.platformUrl}/?course=phys-101`);
    await context.close();
  });
});
