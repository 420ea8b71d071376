import type { Browser, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientEvents } from '../backend/src/contracts/realtime';
import { MediaService } from '../backend/src/media/media.service';
import { mediaTestsOptedOut, requireWorker } from '../backend/src/media/testing/worker-check';
import { LaunchClient } from '../backend/src/testing/lti-client';
import { RoomClient } from '../backend/src/testing/room-client';
import { startTestApp, TestApp } from '../backend/src/testing/test-app';
import { waitFor } from '../backend/src/testing/wait-for';
import { frameAt, launchChromium } from './browser';

const names = async (room: Frame) =>
  (await room.locator('[data-testid=participants] li').allTextContents()).map((t) => t.trim());

/** A panel's tab exists on narrow screens only (wide ones show both panels). */
const tab = async (f: Frame, id: 'tab-people' | 'tab-chat') => {
  const t = f.getByTestId(id);
  if (await t.isVisible()) await t.click();
};

/** The session token a top-level page holds (sessionStorage), to speak for it from Node. */
const tokenOf = (f: Frame) =>
  f.evaluate(() => (JSON.parse(sessionStorage.getItem('lectern.session') ?? '{}') as { token?: string }).token ?? '');

/** Audio packets the page received from its first remote tile (the media client's getStats readout). */
const audioIn = (f: Frame) =>
  f
    .evaluate(() => {
      const peer = document.querySelector('[data-testid=video-tile][data-self=false]')?.getAttribute('data-peer');
      const readout = (globalThis as unknown as { lecternMedia?: { received(): Array<Record<string, unknown>> } })
        .lecternMedia;
      return Number(readout?.received().find((c) => c['peerId'] === peer)?.['audioPackets'] ?? 0);
    })
    .catch(() => 0);

/**
 * Class control in Chromium with fake media and the real mediasoup worker: a student waits and is let in;
 * microphones locked hold in the SFU (the page's unmute refused, the producer stays paused), the student
 * asks, the instructor allows, audio flows; a guest joins by link from a fresh browser context, waits, is let
 * in, chats, is marked as a guest and is refused the roster, grades and other classes; revoking the link
 * ends the guest's session; *End class* → *Leave* keeps the class live.
 */
describe.skipIf(mediaTestsOptedOut())('class control in Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  const pages: Page[] = [];

  beforeAll(async () => {
    requireWorker();
    t = await startTestApp({ MEDIA_PEER_GRACE_MS: '1500' });
    browser = await launchChromium({ fakeMedia: true });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const page = async (viewport?: { width: number; height: number }) => {
    const ctx = await browser.newContext(viewport ? { viewport } : {});
    const p = await ctx.newPage();
    p.on('pageerror', (e) => console.log(`[pageerror] ${e.message}`));
    pages.push(p);
    return p;
  };

  it('waiting room, microphone lock with ask-to-unmute, a guest by link, and End class → Leave', async () => {
    // The instructor starts the class and switches the waiting room on.
    const teacherPage = await page();
    await teacherPage.goto(`${t.platformUrl}/?course=phys-101`);
    await teacherPage.click('#launch-instructor');
    await (await frameAt(teacherPage, '/lobby')).getByTestId('start-class').click();
    const teacher = await frameAt(teacherPage, '/room/');
    await teacher.getByTestId('connection').filter({ hasText: 'Live' }).waitFor({ timeout: 20_000 });
    const sessionId = new URL(teacher.url()).pathname.split('/').pop()!;
    await tab(teacher, 'tab-people');
    await teacher.getByTestId('locks-toggle').click();
    await teacher.getByTestId('waiting-room-switch').check();
    await waitFor(
      async () => (await t.db.query(`SELECT 1 FROM classroom_control WHERE waiting_room`)).length === 1,
      'the waiting room switched on',
    );

    // The student waits, then is let in and sees the room.
    const studentPage = await page({ width: 390, height: 844 });
    await studentPage.goto(`${t.platformUrl}/?course=phys-101`);
    await studentPage.click('#launch-student');
    await (await frameAt(studentPage, '/lobby')).getByTestId('enter-class').click();
    const student = await frameAt(studentPage, '/room/');
    await student.getByTestId('waiting-room').waitFor({ timeout: 20_000 });
    expect(await student.getByTestId('stage').count()).toBe(0);
    await teacher.locator('[data-waiting="Grace Hopper"] [data-testid=admit]').click({ timeout: 15_000 });
    await student.getByTestId('stage').waitFor({ timeout: 15_000 });
    await student.getByTestId('connection').filter({ hasText: 'Live' }).waitFor();
    await waitFor(async () => (await names(teacher)).some((n) => n.includes('Grace Hopper')), 'the student in');

    // Media up for both; the student unmutes, then the instructor locks microphones.
    for (const f of [teacher, student])
      await waitFor(
        async () => (await f.getByTestId('media-state').getAttribute('data-media-state')) === 'connected',
        'media connected',
        30_000,
      );
    await student.getByTestId('toggle-mic').click();
    const media = t.app.get(MediaService);
    const studentMic = () => {
      for (const peer of media.room(sessionId)?.peers.values() ?? [])
        if (!peer.identity.canTeach) return peer.producerOf('mic');
      return undefined;
    };
    await waitFor(() => studentMic()?.paused === false, "the student's microphone live in the SFU", 15_000);
    await teacher.getByTestId('lock-mic').check();
    await waitFor(() => studentMic()?.paused === true, 'paused in the SFU by the lock', 10_000);
    await student.getByTestId('lock-notice').waitFor({ timeout: 10_000 });

    // The page's own unmute is refused by the SFU: the producer stays paused.
    await waitFor(
      async () => (await student.getByTestId('toggle-mic').getAttribute('aria-pressed')) === 'false',
      'shown muted',
    );
    await student.getByTestId('toggle-mic').click();
    await student.getByTestId('media-error').filter({ hasText: 'locked' }).waitFor({ timeout: 10_000 });
    await new Promise((r) => setTimeout(r, 500));
    expect(studentMic()?.paused).toBe(true);
    // Sent over the socket directly by the same student (a launch of their own from Node): refused too.
    const launch = new LaunchClient(t);
    const direct = new RoomClient(t.url, await launch.launch('phys-101', 'dev-grace'));
    await direct.connected();
    expect((await direct.emit(ClientEvents.join, { sessionId })).ok).toBe(true);
    expect(await direct.call(ClientEvents.media, { mic: true, camera: false })).toMatchObject({
      ok: false,
      error: { code: 'MIC_LOCKED' },
    });
    direct.close();
    expect(studentMic()?.paused).toBe(true);

    // Ask, allow, unmute: audio reaches the instructor.
    await student.getByTestId('ask-unmute').click();
    await teacher.locator('[data-asking="Grace Hopper"] [data-testid=allow-unmute]').click({ timeout: 10_000 });
    await student.getByTestId('unmute-allowed').waitFor({ timeout: 10_000 });
    const before = await audioIn(teacher);
    await student.getByTestId('toggle-mic').click();
    await waitFor(() => studentMic()?.paused === false, 'resumed in the SFU once allowed', 10_000);
    await waitFor(
      async () => (await audioIn(teacher)) > before + 20,
      'audio from the student reaches the instructor',
      20_000,
    );

    // A guest by invite link, from a fresh browser context: waits, is let in, chats, is marked.
    await teacher.getByTestId('guest-link-create').click();
    const url = await waitFor(
      async () =>
        (await teacher
          .getByTestId('guest-link-url')
          .inputValue()
          .catch(() => '')) || null,
      'a guest link made',
    );
    const guestPage = await page();
    await guestPage.goto(url);
    const guest = guestPage.mainFrame();
    await guest.getByTestId('guest-name').fill('Dr. Visiting Speaker');
    await guest.getByTestId('guest-enter').click();
    await guest.getByTestId('waiting-room').waitFor({ timeout: 20_000 });
    await teacher.locator('[data-waiting="Dr. Visiting Speaker"] [data-testid=admit]').click({ timeout: 15_000 });
    await guest.getByTestId('stage').waitFor({ timeout: 15_000 });
    expect(await guest.getByTestId('back-to-lobby').count()).toBe(0);
    await tab(guest, 'tab-chat');
    await guest.getByTestId('chat-input').fill('Hello from the guest');
    await guest.getByTestId('chat-send').click();
    await teacher
      .locator('[data-testid=chat-messages] li', { hasText: 'Hello from the guest' })
      .waitFor({ timeout: 10_000 });
    await teacher.locator('[data-participant="Dr. Visiting Speaker"] [data-testid=guest-badge]').waitFor();
    // Refused the roster, grades, the lobby and other classes (REST from the page, socket from its session).
    const statuses = await guest.evaluate(async () => {
      const token = (JSON.parse(sessionStorage.getItem('lectern.session') ?? '{}') as { token: string }).token;
      const out: Record<string, number> = {};
      for (const path of ['/api/roster', '/api/grades', '/api/lobby', '/api/whiteboard/sessions'])
        out[path] = (await fetch(path, { headers: { authorization: `Bearer ${token}` } })).status;
      return out;
    });
    expect(statuses).toEqual({
      '/api/roster': 403,
      '/api/grades': 403,
      '/api/lobby': 403,
      '/api/whiteboard/sessions': 403,
    });
    const otherTeacher = await launch.launch('hist-210', 'dev-ada');
    const other = (await (await launch.api('/api/classroom/sessions', otherTeacher, { method: 'POST' })).json()) as {
      session: { id: string };
    };
    const guestSocket = new RoomClient(t.url, await tokenOf(guest));
    await guestSocket.connected();
    expect(await guestSocket.emit(ClientEvents.join, { sessionId: other.session.id })).toMatchObject({
      ok: false,
      error: { code: 'SESSION_NOT_FOUND' },
    });
    expect(await guestSocket.call(ClientEvents.teacherEndClass, {})).toMatchObject({
      ok: false,
      error: { code: 'GUEST_NOT_ALLOWED' },
    });
    guestSocket.close();

    // Revoking the link ends the guest's session.
    await teacher.locator('[data-testid=guest-link-revoke]').first().click();
    await guest.getByTestId('room-fatal').waitFor({ timeout: 15_000 });
    await waitFor(
      async () => !(await names(teacher)).some((n) => n.includes('Dr. Visiting Speaker')),
      'the guest gone',
    );

    // End class asks first; Leave keeps the class live for everyone else.
    await teacher.getByTestId('end-class').click();
    await teacher.getByTestId('end-dialog').waitFor({ state: 'visible' });
    await teacher.getByTestId('end-leave').click();
    await frameAt(teacherPage, '/lobby');
    const [{ ended }] = await t.db.query(`SELECT ended_at IS NOT NULL AS ended FROM live_session WHERE id = $1`, [
      sessionId,
    ]);
    expect(ended).toBe(false);
    await new Promise((r) => setTimeout(r, 500));
    expect(await student.getByTestId('connection').textContent()).toContain('Live');
    expect(await student.getByTestId('room-ended').count()).toBe(0);
    // Back in, and End for everyone: the student's page says the class ended (not "Offline"), sums it up
    // and links to the saved board.
    await (await frameAt(teacherPage, '/lobby')).getByTestId('enter-class').click();
    const again = await frameAt(teacherPage, '/room/');
    await again.getByTestId('connection').filter({ hasText: 'Live' }).waitFor({ timeout: 20_000 });
    await again.getByTestId('end-class').click();
    await again.getByTestId('end-for-everyone').click();
    await student.getByTestId('ended-summary').waitFor({ timeout: 15_000 });
    expect(await student.getByTestId('connection').textContent()).toContain('Class ended');
    expect(await student.getByTestId('ended-people').textContent()).toContain('Dr. Visiting Speaker');
    expect(await student.getByTestId('ended-board').getAttribute('href')).toBe(`/board/${sessionId}`);
    await teacherPage.screenshot({ path: '.cache/class-control-teacher.png' });
    await studentPage.screenshot({ path: '.cache/class-control-student.png' });
  }, 240_000);
});
