import crypto from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientEvents, ServerEvents } from '../backend/src/contracts/realtime';
import { LaunchClient } from '../backend/src/testing/lti-client';
import { RoomClient } from '../backend/src/testing/room-client';
import { startTestApp, TestApp } from '../backend/src/testing/test-app';
import { frameAt, launchChromium } from './browser';

/**
 * An LMS observer (a parent: role Mentor) who clicks the class in the LMS lands in it read-only: the room
 * shows them the class and its chat, says what they can do, and offers no control the server would refuse
 * (microphone, camera, screen, raise hand, chat input).
 */
describe('an observer in the room (dev LMS, Chromium)', () => {
  let t: TestApp;
  let browser: Browser;
  let teacher: RoomClient;

  beforeAll(async () => {
    t = await startTestApp();
    browser = await launchChromium({ fakeMedia: true });
  });
  afterAll(async () => {
    teacher?.close();
    await browser?.close();
    await t?.close();
  });

  it('watches and reads the class with no sending controls, and is told so', async () => {
    const launch = new LaunchClient(t);
    const token = await launch.launch('phys-101', 'dev-ada');
    const { session } = (await (await launch.api('/api/classroom/sessions', token, { method: 'POST' })).json()) as {
      session: { id: string };
    };
    teacher = new RoomClient(t.url, token);
    await teacher.connected();
    expect((await teacher.emit(ClientEvents.join, { sessionId: session.id })).ok).toBe(true);

    const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    const page = await context.newPage();
    // Mary Hopper, Grace's parent: an observer in the course (role Mentor), embedded as the LMS shows it.
    await page.goto(`${t.platformUrl}/launch?course=phys-101&user=dev-mary&storage=1`);
    const lobby = await frameAt(page, '/lobby');
    await lobby.getByTestId('enter-class').click();
    const room = await frameAt(page, '/room/');
    await room.getByTestId('connection').filter({ hasText: 'Live' }).waitFor({ timeout: 20_000 });
    await teacher.waitFor(ServerEvents.joined, (p) => p.name === 'Mary Hopper');

    await teacher.emit(ClientEvents.chatSend, { clientId: crypto.randomUUID(), text: 'Welcome, parents' });
    await room.getByTestId('chat-messages').filter({ hasText: 'Welcome, parents' }).waitFor({ timeout: 10_000 });
    await room.getByTestId('observer-note').waitFor();
    expect(await room.getByTestId('observer-note').textContent()).toContain('observer');
    // The board: watched, no tools (the server refuses an observer's strokes).
    await room.getByTestId('wb-locked').waitFor();
    expect(await room.locator('[data-tool=pen]').count()).toBe(0);
    for (const control of ['chat-input', 'chat-send', 'raise-hand', 'toggle-mic', 'toggle-camera', 'toggle-screen'])
      expect(await room.getByTestId(control).count(), control).toBe(0);
    // The keyboard shortcuts send nothing either (Ctrl+D would have asked for the microphone).
    await room.locator('body').press('Control+d');
    await room.locator('body').press('Control+Alt+h');
    await new Promise((r) => setTimeout(r, 500));
    const mary = (await teacher.emit(ClientEvents.join, { sessionId: session.id })) as {
      ok: boolean;
      data?: { participants: Array<{ name: string; handRaised: boolean }> };
    };
    expect(mary.data?.participants.find((p) => p.name === 'Mary Hopper')?.handRaised).toBe(false);
    await page.screenshot({ path: '.cache/observer-room.png' });
    await context.close();
  }, 120_000);
});
