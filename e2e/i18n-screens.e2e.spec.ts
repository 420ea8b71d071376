import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EN } from '../frontend/src/app/core/i18n/en';
import { ES } from '../frontend/src/app/core/i18n/es';
import { flatKeys, lookup } from '../frontend/src/app/core/i18n/language';
import { mediaTestsOptedOut, requireWorker } from '../backend/src/media/testing/worker-check';
import { startTestApp, TestApp } from '../backend/src/testing/test-app';
import { waitFor } from '../backend/src/testing/wait-for';
import { frameAt, launchChromium } from './browser';

const PHONE = { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 };
const LAPTOP = { viewport: { width: 1366, height: 768 } };
const AXE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const SHOTS = '.cache/room-ux';

/**
 * The English texts a Spanish screen must not show: every en.ts message whose Spanish differs, as a matcher of
 * a whole text (a message with parameters matches with anything in their place). Messages that are also some
 * Spanish message (a word both languages share) cannot tell, so they are left out.
 */
const spanish = new Set(flatKeys(ES).map((k) => lookup(ES, k)!.trim()));
const ENGLISH = flatKeys(EN)
  .map((k) => ({ key: k, en: lookup(EN, k)!.trim() }))
  .filter(({ key, en }) => en !== lookup(ES, key)!.trim() && !spanish.has(en) && /[A-Za-z]{3}/.test(en))
  .map(({ key, en }) => {
    const parts = en.split(/\{\{\s*[\w.]+\s*\}\}/).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    return { key, en, re: new RegExp(`^${parts.join('.+')}$`, 's') };
  })
  // A message that is only a parameter and punctuation would match anything.
  .filter(({ en }) => en.replace(/\{\{\s*[\w.]+\s*\}\}/g, '').replace(/[^A-Za-z]/g, '').length >= 3);

/**
 * How the room fits a phone's width: the page's scroll width against the window's, the recording banner's OK
 * button (when shown) inside the window, and, to tell what to fix, the elements reaching past the right edge
 * without a scrolling or clipping box between them and the page.
 */
async function widthFit(frame: Frame) {
  return frame.evaluate(() => {
    const inner = window.innerWidth;
    // A phone browser widens its layout to content wider than the screen; the screen is the width to fit.
    const edge = Math.min(inner, screen.width);
    const ok = document.querySelector('[data-testid=recording-banner] button')?.getBoundingClientRect();
    // The outermost elements past the edge (their parent is within it), with how they are positioned.
    const past = (el: Element | null) => !!el && el.getBoundingClientRect().right > edge + 1;
    const over = [...document.querySelectorAll('body *')]
      .filter((el) => past(el) && !past(el.parentElement))
      .slice(0, 8)
      .map((el) => {
        const r = el.getBoundingClientRect();
        const where = `${getComputedStyle(el).position} ${Math.round(r.left)}..${Math.round(r.right)}`;
        return `${el.tagName.toLowerCase()}.${[...el.classList].join('.')} (${where})`;
      });
    return {
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: inner,
      okInside: ok ? ok.left >= 0 && ok.right <= inner && ok.top >= 0 && ok.bottom <= window.innerHeight : null,
      over,
    };
  });
}

/** Every visible text of the frame (text nodes, labels, placeholders, titles), each trimmed, each once. */
async function visibleTexts(frame: Frame): Promise<string[]> {
  return frame.evaluate(() => {
    const out = new Set<string>();
    const shown = (el: Element | null) => !!el && (el as HTMLElement).checkVisibility?.({ checkOpacity: true });
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = (n.textContent ?? '').replace(/\s+/g, ' ').trim();
      if (text && shown(n.parentElement)) out.add(text);
    }
    for (const el of document.querySelectorAll('[aria-label], [placeholder], [title]')) {
      if (!shown(el) && !el.closest('[role=dialog]')) continue;
      for (const a of ['aria-label', 'placeholder', 'title']) {
        const v = el.getAttribute(a)?.replace(/\s+/g, ' ').trim();
        if (v) out.add(v);
      }
    }
    return [...out];
  });
}

/** The English messages the frame shows, as "key: text" (none expected on a Spanish screen). */
async function englishLeft(frame: Frame): Promise<string[]> {
  const texts = await visibleTexts(frame);
  return texts.flatMap((text) => ENGLISH.filter((m) => m.re.test(text)).map((m) => `${m.key}: ${text}`));
}

async function axeFindings(frame: Frame): Promise<string[]> {
  if (!(await frame.evaluate(() => 'axe' in globalThis))) await frame.addScriptTag({ content: AXE });
  const result = await frame.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<unknown> } }).axe;
    return (await axe.run(document, { resultTypes: ['violations'] })) as {
      violations: Array<{ id: string; impact: string; help: string; nodes: Array<{ target: string[] }> }>;
    };
  });
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

describe.skipIf(mediaTestsOptedOut())('every screen in Spanish from a launch with locale es (Chromium)', () => {
  let t: TestApp;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  async function launch(role: 'instructor' | 'student', options: object): Promise<{ page: Page; lobby: Frame }> {
    // The browser asks for English: the LMS's locale must win everywhere.
    const ctx = await browser.newContext({ ...options, locale: 'en-US', bypassCSP: true });
    contexts.push(ctx);
    const page = await ctx.newPage();
    await page.goto(`${t.platformUrl}/?course=phys-101`);
    await page.selectOption('#launch-locale', 'es');
    await page.click(`#launch-${role}`);
    return { page, lobby: await frameAt(page, '/lobby') };
  }

  /** Follows a link of the lobby (in the LMS frame) and waits for its page. */
  async function open(page: Page, from: Frame, testId: string, path: string, ready: string): Promise<Frame> {
    await from.getByTestId(testId).click();
    const frame = await frameAt(page, path);
    await frame.locator(ready).first().waitFor({ timeout: 15_000 });
    return frame;
  }

  async function backToLobby(page: Page, frame: Frame): Promise<Frame> {
    await frame.locator('a[href="/lobby"]').first().click();
    const lobby = await frameAt(page, '/lobby');
    await lobby.getByTestId('course-title').waitFor();
    return lobby;
  }

  beforeAll(async () => {
    requireWorker();
    fs.mkdirSync(SHOTS, { recursive: true });
    t = await startTestApp();
    browser = await launchChromium({ fakeMedia: true });
  });
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await t?.close();
  });

  it('the English list is real: the checker finds English on an English screen', async () => {
    // Without this, a checker that matched nothing would pass every Spanish screen.
    expect(ENGLISH.length).toBeGreaterThan(500);
    const ctx = await browser.newContext({ ...LAPTOP, locale: 'en-US' });
    contexts.push(ctx);
    const page = await ctx.newPage();
    await page.goto(`${t.platformUrl}/?course=phys-101`);
    await page.click('#launch-instructor');
    const lobby = await frameAt(page, '/lobby');
    await lobby.getByTestId('course-title').waitFor();
    expect((await englishLeft(lobby)).length).toBeGreaterThan(5);
    await ctx.close();
  }, 60_000);

  it('lobby, question bank, quiz results, recordings, attendance, roster, grades, room, saved board: no English left; axe clean', async () => {
    const { page, lobby } = await launch('instructor', LAPTOP);
    await lobby.getByTestId('course-title').waitFor();
    expect(await englishLeft(lobby)).toEqual([]);

    const bank = await open(page, lobby, 'nav-quiz-bank', '/quiz/bank', '[data-testid=bank-list]');
    await bank.getByTestId('bank-new').click();
    await bank.getByTestId('question-editor').waitFor();
    await bank.getByTestId('qe-save').click(); // nothing typed: the editor says what to write, in Spanish
    expect(await bank.getByTestId('qe-error').textContent()).toContain('Escriba la pregunta');
    await bank.getByTestId('qe-prompt').fill('¿Cuánto es 2 + 2?');
    await bank.getByTestId('qe-type').selectOption('numeric');
    await bank.getByTestId('qe-value').fill('4');
    await bank.getByTestId('qe-save').click();
    await bank.locator('[data-testid=bank-list] li[data-question]').first().waitFor();
    expect(await englishLeft(bank)).toEqual([]);
    expect(await axeFindings(bank)).toEqual([]);

    let here = await backToLobby(page, bank);
    const results = await open(page, here, 'nav-quiz-results', '/quiz/results', '[data-testid=quiz-list]');
    expect(await englishLeft(results)).toEqual([]);

    here = await backToLobby(page, results);
    const recordings = await open(page, here, 'nav-recordings', '/recordings', 'h1');
    await recordings.getByTestId('no-recordings').waitFor();
    expect(await englishLeft(recordings)).toEqual([]);
    expect(await axeFindings(recordings)).toEqual([]);

    here = await backToLobby(page, recordings);
    const attendance = await open(page, here, 'nav-attendance', '/attendance', '[data-testid=course-time-zone]');
    expect(await englishLeft(attendance)).toEqual([]);
    expect(await axeFindings(attendance)).toEqual([]);

    here = await backToLobby(page, attendance);
    const roster = await open(page, here, 'nav-roster', '/roster', '[data-testid=roster-sync-now]');
    expect(await englishLeft(roster)).toEqual([]);
    here = await backToLobby(page, roster);
    const grades = await open(page, here, 'nav-grades', '/grades', 'h1');
    await grades.locator('table').first().waitFor({ timeout: 15_000 });
    expect(await englishLeft(grades)).toEqual([]);

    // The room, with a student on a phone (Spanish too) so there are two tiles.
    here = await backToLobby(page, grades);
    await here.getByTestId('start-class').click();
    const room = await frameAt(page, '/room/');
    await room.getByTestId('connection').filter({ hasText: 'En directo' }).waitFor({ timeout: 20_000 });
    const ok = room.locator('[data-testid=recording-banner] button');
    await ok.waitFor({ timeout: 5000 }).catch(() => undefined);
    if (await ok.count()) await ok.click();
    await room.getByTestId('toggle-camera').click();
    await room.getByTestId('quiz-toggle').click();
    await room.getByTestId('quiz-launcher').waitFor();
    expect(await englishLeft(room)).toEqual([]);
    await room.getByTestId('quiz-toggle').click();

    const phone = await launch('student', PHONE);
    await phone.lobby.getByTestId('enter-class').tap();
    const sroom = await frameAt(phone.page, '/room/');
    await sroom.getByTestId('connection').filter({ hasText: 'En directo' }).waitFor({ timeout: 20_000 });
    const sok = sroom.locator('[data-testid=recording-banner] button');
    await sok.waitFor({ timeout: 5000 }).catch(() => undefined);
    // The room fits the phone inside the LMS frame too (the frame's own width, nothing scrolled sideways).
    const sfit = await widthFit(sroom);
    expect(sfit.scrollWidth, `past the right edge: ${sfit.over.join(', ')}`).toBeLessThanOrEqual(sfit.innerWidth);
    expect(sfit.okInside).toBe(true);
    if (await sok.count()) await sok.tap();
    expect(await englishLeft(sroom)).toEqual([]);

    // Grid view on the phone: everyone the same size, the teacher first; tapping a tile enlarges it.
    const teacherId = await room.evaluate(() =>
      document.querySelector('[data-testid=video-tile][data-self=true]')?.getAttribute('data-user'),
    );
    await sroom.getByTestId('layout-grid').waitFor({ timeout: 20_000 });
    expect(await sroom.getByTestId('layout-grid').getAttribute('aria-label')).toBe('Vista de cuadrícula');
    await sroom.getByTestId('layout-grid').tap();
    await sroom.getByTestId('gallery').waitFor();
    expect(await sroom.getByTestId('layout-grid').getAttribute('aria-pressed')).toBe('true');
    expect(await sroom.getByTestId('filmstrip-tile').count()).toBe(0);
    const tiles = await sroom.evaluate(() =>
      [...document.querySelectorAll('[data-testid=gallery-tile] [data-testid=video-tile]')].map((el) => {
        const r = el.getBoundingClientRect();
        return { user: el.getAttribute('data-user'), width: Math.round(r.width), top: Math.round(r.top) };
      }),
    );
    expect(tiles).toHaveLength(2);
    expect(tiles[0].user).toBe(teacherId);
    expect(Math.abs(tiles[0].width - tiles[1].width)).toBeLessThanOrEqual(1);
    await phone.page.screenshot({ path: `${SHOTS}/room-phone-grid-es.png` });
    // (A tile is chosen with the keyboard: see the README on touches over video inside the LMS frame.)
    await sroom.getByTestId('gallery-tile').nth(1).focus();
    await phone.page.keyboard.press('Enter');
    await waitFor(
      async () =>
        (await sroom.locator('[data-testid=featured-tile] [data-testid=video-tile]').getAttribute('data-self')) ===
        'true',
      'the chosen grid tile made large (speaker view, pinned)',
    );
    expect(await sroom.getByTestId('layout-speaker').getAttribute('aria-pressed')).toBe('true');

    // The end screen and the saved board.
    await room.getByTestId('end-class').click();
    await room.getByTestId('end-for-everyone').click();
    await room.getByTestId('ended-board').waitFor({ timeout: 20_000 });
    expect(await englishLeft(room)).toEqual([]);
    await room.getByTestId('ended-board').click();
    const board = await frameAt(page, '/board/');
    await board.locator('h1').waitFor();
    expect(await board.locator('h1').textContent()).toContain('Pizarra de la clase');
    expect(await englishLeft(board)).toEqual([]);
    await page.screenshot({ path: `${SHOTS}/saved-board-es.png` });
  }, 300_000);

  it('the guest page speaks the browser language of a guest with no LMS (es-ES)', async () => {
    const ctx = await browser.newContext({ ...PHONE, locale: 'es-ES' });
    contexts.push(ctx);
    const page = await ctx.newPage();
    await page.goto(`${t.url}/guest#not-a-real-invite`);
    await page.getByTestId('guest-entry').locator('h1').waitFor();
    await page.getByTestId('guest-error').waitFor({ timeout: 15_000 });
    expect(await page.locator('h1').textContent()).toBe('Enlace de invitación');
    expect(await englishLeft(page.mainFrame())).toEqual([]);
  }, 60_000);

  it('a real touch phone with Lectern in its own window: Enter class at each tap, tap to enlarge, a finger draws on the board', async () => {
    const { page: tpage, lobby: tlobby } = await launch('instructor', LAPTOP);
    await tlobby.getByTestId('start-class').click();
    const troom = await frameAt(tpage, '/room/');
    await troom.getByTestId('connection').filter({ hasText: 'En directo' }).waitFor({ timeout: 20_000 });
    const tok = troom.locator('[data-testid=recording-banner] button');
    await tok.waitFor({ timeout: 5000 }).catch(() => undefined);
    if (await tok.count()) await tok.click();
    await troom.getByTestId('toggle-camera').click();
    const teacherId = await troom.evaluate(() =>
      document.querySelector('[data-testid=video-tile][data-self=true]')?.getAttribute('data-user'),
    );

    // The student's phone: touch only (hasTouch, isMobile); the LMS opens Lectern in a window of its own.
    const ctx = await browser.newContext({ ...PHONE, locale: 'en-US' });
    contexts.push(ctx);
    const lms = await ctx.newPage();
    await lms.goto(`${t.platformUrl}/?course=phys-101`);
    await lms.selectOption('#launch-locale', 'es');
    await lms.check('input[name=presentation][value=window]');
    await lms.tap('#launch-student');
    const [page] = await Promise.all([ctx.waitForEvent('page'), lms.tap('#open-tool')]);
    const app = page.mainFrame();
    await page.waitForURL(/\/lobby/, { timeout: 90_000 }); // the LTI launch in the new window, on a loaded machine
    for (let round = 1; round <= 3; round++) {
      const enter = app.getByTestId('enter-class');
      await enter.waitFor({ timeout: 20_000 });
      await enter.tap();
      // One tap: the room, never a silent lobby refresh.
      await app.getByTestId('connection').filter({ hasText: 'En directo' }).waitFor({ timeout: 20_000 });
      if (round < 3) {
        await app.getByTestId('back-to-lobby').tap();
        await page.waitForURL(/\/lobby/, { timeout: 15_000 });
      }
    }
    // The room fits the phone's width: nothing wider than the screen, the recording banner's OK (shown unless
    // this student acknowledged it in an earlier test of this file) inside it.
    const aok = app.locator('[data-testid=recording-banner] button');
    await aok.waitFor({ timeout: 5000 }).catch(() => undefined);
    const fit = await widthFit(app);
    expect(fit, `past the right edge: ${fit.over.join(', ')}`).toMatchObject({ innerWidth: 390, scrollWidth: 390 });
    expect(fit.okInside).not.toBe(false);
    if (await aok.count()) await aok.tap();
    await app.getByTestId('toggle-camera').tap();

    // Tap to enlarge: the student's own small tile becomes the large one, a second tap brings the teacher back.
    const featured = app.locator('[data-testid=featured-tile] [data-testid=video-tile]');
    await waitFor(
      async () => (await featured.getAttribute('data-user').catch(() => null)) === teacherId,
      'teacher large',
    );
    await app.getByTestId('filmstrip-tile').first().tap();
    await waitFor(async () => (await featured.getAttribute('data-self')) === 'true', 'the tapped tile made large');
    await app.getByTestId('filmstrip-tile').first().tap();
    await waitFor(async () => (await featured.getAttribute('data-user')) === teacherId, 'the teacher large again');

    // A finger draws a stroke: real touch events (CDP), turned into pointer events by the browser.
    const board = app.getByTestId('whiteboard');
    await board.waitFor();
    await app.locator('[data-tool=pen]').tap();
    const before = Number(await troom.getByTestId('whiteboard').getAttribute('data-elements'));
    const box = (await board.boundingBox())!;
    const cdp = await ctx.newCDPSession(page);
    const at = (fx: number, fy: number) => [{ x: box.x + box.width * fx, y: box.y + box.height * fy }];
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: at(0.2, 0.3) });
    for (let i = 1; i <= 10; i++)
      await cdp.send('Input.dispatchTouchEvent', {
        type: 'touchMove',
        touchPoints: at(0.2 + i * 0.05, 0.3 + i * 0.03),
      });
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    await waitFor(
      async () => Number(await troom.getByTestId('whiteboard').getAttribute('data-elements')) === before + 1,
      "the finger's stroke on the teacher's board",
      15_000,
    );
    await page.screenshot({ path: `${SHOTS}/room-phone-touch-window.png` });
  }, 240_000);
});
