import fs from 'node:fs';
import type { Browser, BrowserContext, Frame } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, TestApp } from '../backend/src/testing/test-app';
import { waitFor } from '../backend/src/testing/wait-for';
import { frameAt, launchChromium } from './browser';

const TITLE = 'Noble gases check';
const OPTIONS = ['Helium', 'Iron', 'Neon', 'Tin'];

describe('a live quiz in Chromium: launched in class, answered on a laptop and a phone, graded in the LMS', () => {
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

  /** Opens the course in the dev LMS as `user` and enters the live class; returns the room's frame. */
  async function enter(
    user: string,
    viewport?: { width: number; height: number },
    course = 'phys-101',
  ): Promise<Frame> {
    const ctx = await browser.newContext(viewport ? { viewport, isMobile: true, hasTouch: true } : {});
    contexts.push(ctx);
    const page = await ctx.newPage();
    await page.goto(`${t.platformUrl}/launch?course=${course}&user=${user}&storage=1`);
    const lobby = await frameAt(page, '/lobby');
    await lobby.getByTestId('enter-class').click({ timeout: 20_000 });
    const room = await frameAt(page, '/room/');
    await room.getByTestId('connection').filter({ hasText: 'Live' }).waitFor({ timeout: 15_000 });
    return room;
  }

  const count = async (room: Frame, option: string) =>
    Number(await room.locator(`[data-testid=quiz-host] g[data-option="${option}"]`).getAttribute('data-count'));

  it('the instructor launches a multiple-choice quiz, two students answer, the chart counts them, the scores reach the gradebook', async () => {
    const teacherCtx = await browser.newContext();
    contexts.push(teacherCtx);
    const teacherPage = await teacherCtx.newPage();
    await teacherPage.goto(`${t.platformUrl}/?course=phys-101`);
    await teacherPage.click('#launch-instructor');
    const lobby = await frameAt(teacherPage, '/lobby');
    await lobby.getByTestId('start-class').click();
    const teacher = await frameAt(teacherPage, '/room/');
    await teacher.getByTestId('connection').filter({ hasText: 'Live' }).waitFor({ timeout: 15_000 });

    const grace = await enter('dev-grace');
    // Alan is on a phone.
    const alan = await enter('dev-alan', { width: 390, height: 844 });

    // The instructor types the question in class, without leaving the room, and launches it graded.
    await teacher.getByTestId('quiz-toggle').click();
    await teacher.getByTestId('quiz-type-question').click();
    await teacher.getByTestId('qe-type').selectOption('multiple');
    await teacher.getByTestId('qe-prompt').fill('Which of these are noble gases?');
    await teacher.getByTestId('qe-add-option').click();
    await teacher.getByTestId('qe-add-option').click();
    for (const [i, text] of OPTIONS.entries()) await teacher.getByTestId('qe-option').nth(i).fill(text);
    // Saving without a right option is refused, in words.
    await teacher.getByTestId('qe-save').click();
    expect(await teacher.getByTestId('qe-error').textContent()).toContain('Mark at least one right option');
    await teacher.getByTestId('qe-correct').nth(0).check();
    await teacher.getByTestId('qe-correct').nth(2).check();
    await teacher.getByTestId('qe-save').click();
    await teacher.getByTestId('quiz-title').fill(TITLE);
    await teacher.getByTestId('quiz-time-limit').selectOption('300');
    await teacher.getByTestId('quiz-graded').check();
    await teacher.getByTestId('quiz-points').fill('10');
    await teacher.getByTestId('quiz-launch').click();
    await teacher.getByTestId('quiz-host').waitFor({ timeout: 10_000 });
    expect(await teacher.getByTestId('quiz-answered-total').textContent()).toContain('0 answered of 2 present');
    expect(await teacher.getByTestId('quiz-countdown').textContent()).toMatch(/^[45]:\d\d$/);

    // Both students get the question by themselves, with the countdown.
    for (const s of [grace, alan]) {
      await s.getByTestId('quiz-student').waitFor({ timeout: 10_000 });
      expect(await s.getByTestId('quiz-prompt').textContent()).toContain('Which of these are noble gases?');
      expect(await s.getByTestId('quiz-countdown').isVisible()).toBe(true);
    }
    // On the phone (inside the LMS page's frame) the options are big, thumb-sized targets across the screen.
    const box = (await alan.locator('[data-testid=quiz-option][data-option="Neon"]').boundingBox())!;
    const frameWidth = await alan.evaluate(() => window.innerWidth);
    expect(frameWidth).toBeLessThan(390);
    expect(box.height).toBeGreaterThanOrEqual(48);
    expect(box.width).toBeGreaterThan(0.85 * frameWidth);

    // Grace picks both right options; Alan one right and one wrong (right minus wrong: 0).
    await grace.locator('[data-testid=quiz-option][data-option="Helium"]').click();
    await grace.locator('[data-testid=quiz-option][data-option="Neon"]').click();
    // The page renders on the next frame after a tap: wait for the pressed state rather than read it at once.
    await grace.locator('[data-testid=quiz-option][data-option="Neon"][aria-pressed=true]').waitFor({ timeout: 5_000 });
    expect(await grace.locator('[data-testid=quiz-option][aria-pressed=true]').count()).toBe(2);
    await grace.getByTestId('quiz-send').click();
    await grace.getByTestId('quiz-status').filter({ hasText: 'Answer received' }).waitFor({ timeout: 10_000 });
    await waitFor(async () => (await count(teacher, 'Helium')) === 1, "the chart counting Grace's answer");

    await alan.locator('[data-testid=quiz-option][data-option="Helium"]').tap();
    await alan.locator('[data-testid=quiz-option][data-option="Iron"]').tap();
    await alan.getByTestId('quiz-send').tap();
    await alan.getByTestId('quiz-status').filter({ hasText: 'Answer received' }).waitFor({ timeout: 10_000 });
    // Answers cannot be changed in this quiz: the options are locked.
    expect(await alan.getByTestId('quiz-send').count()).toBe(0);
    await alan.page().screenshot({ path: '.cache/quiz-phone.png' });

    await waitFor(async () => (await count(teacher, 'Helium')) === 2, "the chart counting Alan's answer");
    expect([await count(teacher, 'Iron'), await count(teacher, 'Neon'), await count(teacher, 'Tin')]).toEqual([
      1, 1, 0,
    ]);
    expect(await teacher.getByTestId('quiz-answered-total').textContent()).toContain('2 answered of 2 present');
    // The chart's text alternative says the same.
    expect(await teacher.getByTestId('quiz-chart-text').first().textContent()).toContain('Helium: 2 answers, 100%');
    await teacher.page().screenshot({ path: '.cache/quiz-laptop.png' });

    // The instructor closes it early, then shows the results: each student sees their own score.
    await teacher.getByTestId('quiz-close').click();
    await teacher.getByTestId('quiz-state').filter({ hasText: 'Closed' }).waitFor({ timeout: 10_000 });
    await grace.getByTestId('quiz-closed').waitFor({ timeout: 10_000 });
    await teacher.getByTestId('quiz-reveal').click();
    await grace.getByTestId('quiz-score').filter({ hasText: '10 of 10' }).waitFor({ timeout: 10_000 });
    await alan.getByTestId('quiz-score').filter({ hasText: '0 of 10' }).waitFor({ timeout: 10_000 });
    expect(await grace.getByTestId('quiz-mark').textContent()).toContain('Right');

    // The LMS gradebook has the quiz as its own column, with both scores (posted through the outbox).
    const lms = await teacherCtx.newPage();
    await lms.goto(`${t.platformUrl}/gradebook?course=phys-101`);
    const column = lms.locator('#gradebook th[data-lineitem]', { hasText: TITLE });
    // Both grades posted (the outbox says sent), then the gradebook is read once.
    await waitFor(
      async () => {
        const [{ sent }] = await t.db.query(`SELECT count(*)::int AS sent FROM grade_outbox WHERE status = 'sent'`);
        return sent === 2;
      },
      'both quiz grades posted through the outbox',
      30_000,
    );
    await lms.reload();
    // One column per quiz, made once, even though both grades were posted at the same moment.
    expect(
      await column.count(),
      `the quiz's columns in the gradebook:\n${await lms.locator('#gradebook').innerText()}`,
    ).toBe(1);
    expect(await column.textContent()).toContain('10 pts');
    const lineItem = await column.getAttribute('data-lineitem');
    expect(await lms.locator(`td[data-lineitem="${lineItem}"][data-user="dev-grace"]`).textContent()).toMatch(
      /^10 \/ 10/,
    );
    expect(await lms.locator(`td[data-lineitem="${lineItem}"][data-user="dev-alan"]`).textContent()).toMatch(
      /^0 \/ 10/,
    );

    // After class: the results per student in Lectern too.
    await teacher.getByTestId('back-to-lobby').click();
    const after = await frameAt(teacherPage, '/lobby');
    await after.getByTestId('nav-quiz-results').click();
    const results = await frameAt(teacherPage, '/quiz/results');
    await results.locator(`[data-quiz="${TITLE}"]`).click();
    await results.getByTestId('results-students').waitFor({ timeout: 10_000 });
    expect(
      await results.locator('tr[data-student="Grace Hopper"] [data-testid=student-score]').textContent(),
    ).toContain('10 / 10');
    expect(await results.locator('tr[data-student="Alan Turing"] [data-testid=student-score]').textContent()).toContain(
      '0 / 10',
    );
  }, 180_000);

  it('a question prepared in the bank (another course) is launched in class; a short answer marked right by hand after class changes the score', async () => {
    const ctx = await browser.newContext();
    contexts.push(ctx);
    const page = await ctx.newPage();
    // Another course (its own bank, no class running), so that this test stands on its own.
    await page.goto(`${t.platformUrl}/?course=hist-210`);
    await page.click('#launch-instructor');
    const lobby = await frameAt(page, '/lobby');
    await lobby.getByTestId('nav-quiz-bank').click();
    const bank = await frameAt(page, '/quiz/bank');
    // Two questions written before class; one deleted again (after a confirmation).
    for (const [type, prompt] of [
      ['short', 'Who discovered radium?'],
      ['true_false', 'Is iron a noble gas?'],
    ]) {
      await bank.getByTestId('bank-new').click();
      await bank.getByTestId('qe-type').selectOption(type);
      await bank.getByTestId('qe-prompt').fill(prompt);
      if (type === 'short') await bank.getByTestId('qe-accepted').fill('Marie Curie\nMarie Skłodowska-Curie');
      await bank.getByTestId('qe-save').click();
      await bank.locator('[data-testid=bank-list] li', { hasText: prompt }).waitFor({ timeout: 10_000 });
    }
    const ironRow = bank.locator('[data-testid=bank-list] li', { hasText: 'Is iron a noble gas?' });
    await ironRow.getByTestId('bank-delete').click();
    await ironRow.getByTestId('bank-delete-confirm').click();
    await waitFor(
      async () => (await bank.locator('[data-testid=bank-list] li', { hasText: 'Is iron a noble gas?' }).count()) === 0,
      'the deleted question gone',
    );

    await bank.locator('a', { hasText: 'Lobby' }).click();
    const back = await frameAt(page, '/lobby');
    await back.getByTestId('start-class').click();
    const teacher = await frameAt(page, '/room/');
    await teacher.getByTestId('connection').filter({ hasText: 'Live' }).waitFor({ timeout: 15_000 });
    const katherine = await enter('dev-katherine', undefined, 'hist-210');

    await teacher.getByTestId('quiz-toggle').click();
    await teacher.locator('input[data-question="Who discovered radium?"]').check();
    await teacher.getByTestId('quiz-graded').check();
    await teacher.getByTestId('quiz-points').fill('5');
    await teacher.getByTestId('quiz-launch').click();
    await teacher.getByTestId('quiz-state').filter({ hasText: 'Open' }).waitFor({ timeout: 10_000 });

    await katherine
      .getByTestId('quiz-prompt')
      .filter({ hasText: 'Who discovered radium?' })
      .waitFor({ timeout: 10_000 });
    await katherine.getByTestId('quiz-text').fill('  curie ');
    await katherine.getByTestId('quiz-send').click();
    await katherine.getByTestId('quiz-status').filter({ hasText: 'Answer received' }).waitFor({ timeout: 10_000 });
    await waitFor(
      async () => (await teacher.locator('[data-testid=quiz-host] g[data-option]').count()) === 1,
      'the short answer in the chart',
    );
    expect(await teacher.locator('[data-testid=quiz-host] g[data-option]').first().getAttribute('data-option')).toBe(
      'curie',
    );

    await teacher.getByTestId('quiz-reveal').click();
    await katherine.getByTestId('quiz-score').filter({ hasText: '0 of 5' }).waitFor({ timeout: 10_000 });
    await katherine.page().screenshot({ path: '.cache/quiz-revealed.png' });
    expect(await katherine.getByTestId('quiz-results').textContent()).toContain(
      'Right answer: Marie Curie or Marie Skłodowska-Curie',
    );

    // After class the instructor accepts "curie" by hand: the score follows.
    await teacher.getByTestId('back-to-lobby').click();
    const lobby2 = await frameAt(page, '/lobby');
    await lobby2.getByTestId('nav-quiz-results').click();
    const results = await frameAt(page, '/quiz/results');
    await results.locator('[data-quiz="Who discovered radium?"]').click();
    const row = results.locator('tr[data-student="Katherine Johnson"]');
    await row.waitFor({ timeout: 10_000 });
    expect(await row.getByTestId('student-score').textContent()).toContain('0 / 5');
    await row.getByTestId('mark-right').click();
    await row.getByTestId('student-score').filter({ hasText: '5 / 5' }).waitFor({ timeout: 10_000 });
    expect(await row.getByTestId('mark-right').getAttribute('aria-pressed')).toBe('true');
    await page.screenshot({ path: '.cache/quiz-results.png' });
    // The results as CSV, downloaded with the session's token.
    const [download] = await Promise.all([page.waitForEvent('download'), results.getByTestId('results-csv').click()]);
    expect(download.suggestedFilename()).toMatch(/^who-discovered-radium-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = fs.readFileSync((await download.path())!, 'utf8');
    expect(csv).toContain('Katherine Johnson');
    expect(csv).toContain('curie');
  }, 180_000);
});
