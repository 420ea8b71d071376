import type { Browser, Frame } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, TestApp } from '../backend/src/testing/test-app';
import { frameAt, launchChromium } from './browser';

const text = async (f: Frame, testId: string) => ((await f.getByTestId(testId).first().textContent()) ?? '').trim();

/** The LMS's language (the launch's launch_presentation.locale) chooses the interface language. */
describe('Lectern in Spanish from a launch with locale es (dev LMS, Chromium)', () => {
  let t: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    t = await startTestApp();
    browser = await launchChromium({ fakeMedia: true });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const launch = async (who: '#launch-instructor' | '#launch-student', locale: string) => {
    // The browser itself asks for English: the LMS's locale wins.
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'en-US' });
    const page = await context.newPage();
    await page.goto(`${t.platformUrl}/?course=phys-101`);
    await page.selectOption('#launch-locale', locale);
    await page.click(who);
    return { page, lobby: await frameAt(page, '/lobby') };
  };

  it('the instructor gets the lobby, roster and room in Spanish, dates written the Spanish way', async () => {
    const { page, lobby } = await launch('#launch-instructor', 'es-419');
    await lobby.getByTestId('course-title').waitFor();
    expect(await lobby.evaluate(() => document.documentElement.lang)).toBe('es');
    expect(await text(lobby, 'user-role')).toBe('Docente');
    expect(await text(lobby, 'nav-roster')).toBe('Participantes');
    expect(await text(lobby, 'nav-grades')).toBe('Calificaciones');
    expect(await text(lobby, 'start-class')).toBe('Empezar la clase');

    await lobby.getByTestId('nav-roster').click();
    const roster = await frameAt(page, '/roster');
    await roster.getByTestId('roster-sync-now').waitFor();
    expect(await roster.locator('h1').textContent()).toBe('Participantes');
    expect(await text(roster, 'roster-export')).toBe('Exportar CSV');
    expect(await roster.getByTestId('sort-last-attended').textContent()).toContain('Última asistencia');

    await roster.locator('a[href="/lobby"]').click();
    const back = await frameAt(page, '/lobby');
    await back.getByTestId('start-class').click();
    const room = await frameAt(page, '/room/');
    await room.getByTestId('connection').filter({ hasText: 'En directo' }).waitFor({ timeout: 20_000 });
    expect(await text(room, 'end-class')).toBe('Terminar la clase');
    // An instructor has no Raise hand; a laptop shows people and chat side by side (tabs are a phone's).
    expect(await room.getByTestId('raise-hand').count()).toBe(0);
    expect(await room.locator('#panel-people').getAttribute('aria-label')).toBe('Personas');
    expect(await room.getByTestId('chat-input').getAttribute('placeholder')).toBe('Escribe a la clase');
    expect(await room.locator('[data-tool=pen]').getAttribute('aria-label')).toBe('Lápiz');
    expect(await text(room, 'wb-permission')).toMatch(/^Los estudiantes pueden dibujar:\s*(sí|no)$/);
    await room.getByTestId('toggle-mic').waitFor({ timeout: 20_000 });
    expect(await text(room, 'toggle-mic')).toBe('Micrófono');
    expect(await room.getByTestId('toggle-mic').getAttribute('title')).toMatch(/Activar micrófono|Silenciar/);
    // No English left in the room's bar and side panels (names and chat are people's own words).
    const bar = (await room.locator('header.bar').textContent()) ?? '';
    for (const english of ['Live', 'Raise hand', 'End class', 'Own window', 'Lobby'])
      expect(bar).not.toContain(english);
    await page.screenshot({ path: '.cache/i18n-room-es-instructor.png' });
    await page.context().close();
  }, 120_000);

  it('a student with locale es sees the lobby and the room in Spanish; without a locale, English', async () => {
    const { page, lobby } = await launch('#launch-student', 'es');
    expect(await text(lobby, 'user-role')).toBe('Estudiante');
    expect(await text(lobby, 'class-live')).toContain('La clase está en directo');
    expect(await text(lobby, 'enter-class')).toBe('Entrar en clase');
    await lobby.getByTestId('enter-class').click();
    const room = await frameAt(page, '/room/');
    await room.getByTestId('connection').filter({ hasText: 'En directo' }).waitFor({ timeout: 20_000 });
    expect(await text(room, 'raise-hand')).toContain('Levantar la mano');
    expect(await text(room, 'chat-send')).toBe('Enviar');
    await room.getByTestId('toggle-camera').waitFor({ timeout: 20_000 });
    expect(await text(room, 'toggle-camera')).toBe('Cámara');
    expect(await room.getByTestId('toggle-camera').getAttribute('title')).toMatch(/Iniciar vídeo|Detener vídeo/);
    await page.screenshot({ path: '.cache/i18n-room-es-student.png' });
    await page.context().close();

    const english = await launch('#launch-student', '');
    expect(await text(english.lobby, 'enter-class')).toBe('Enter class');
    expect(await english.lobby.evaluate(() => document.documentElement.lang)).toBe('en');
    await english.page.context().close();
  }, 120_000);
});
