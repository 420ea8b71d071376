import type { Browser, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaService } from '../backend/src/media/media.service';
import { mediaTestsOptedOut, requireWorker } from '../backend/src/media/testing/worker-check';
import { startTestApp, TestApp } from '../backend/src/testing/test-app';
import { waitFor } from '../backend/src/testing/wait-for';
import { frameAt, launchChromium } from './browser';

const num = async (f: Frame, selector: string, attr: string) =>
  Number(
    (await f
      .locator(selector)
      .first()
      .getAttribute(attr)
      .catch(() => '0')) ?? 0,
  );
const remote = '[data-testid=video-tile][data-self=false]';
/** What the page received from the person on its first remote tile: the media client's diagnostics readout (getStats). */
const received = (f: Frame, what: 'cameraFrames' | 'screenFrames' | 'audioPackets') =>
  f
    .evaluate(
      ([selector, key]) => {
        const peer = document.querySelector(selector)?.getAttribute('data-peer');
        const readout = (globalThis as unknown as { lecternMedia?: { received(): Array<Record<string, unknown>> } })
          .lecternMedia;
        return Number(readout?.received().find((c) => c['peerId'] === peer)?.[key] ?? 0);
      },
      [remote, what] as const,
    )
    .catch(() => 0);

/**
 * Real media end to end: two Chromium pages with fake camera and microphone launch through the dev
 * LMS, enter the room and receive each other's audio and video through the real mediasoup worker
 * (read from getStats: frames decoded, audio packets received), the teacher's screen share reaches the
 * student, the speaker is highlighted, and when both have left the SFU holds nothing.
 */
describe.skipIf(mediaTestsOptedOut())('media in Chromium: teacher and student see and hear each other', () => {
  let t: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    requireWorker();
    t = await startTestApp({ MEDIA_PEER_GRACE_MS: '1500' });
    browser = await launchChromium({ fakeMedia: true });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function enter(page: Page, who: 'instructor' | 'student') {
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') console.log(`[${who} console] ${m.text()}`);
    });
    page.on('pageerror', (e) => console.log(`[${who} pageerror] ${e.message}`));
    await page.goto(`${t.platformUrl}/?course=phys-101`);
    await page.click(`#launch-${who}`);
    const lobby = await frameAt(page, '/lobby');
    // An instructor starts the class, or enters it when it is already live.
    await lobby
      .locator(
        who === 'instructor' ? '[data-testid=start-class], [data-testid=enter-class]' : '[data-testid=enter-class]',
      )
      .first()
      .click();
    const room = await frameAt(page, '/room/');
    await room.getByTestId('media-state').waitFor({ state: 'attached', timeout: 15_000 });
    await waitFor(
      async () => (await room.getByTestId('media-state').getAttribute('data-media-state')) === 'connected',
      `${who}'s media connected`,
      30_000,
    ).catch(async (e) => {
      throw new Error(
        `${(e as Error).message}; the page says: ${await room
          .getByTestId('media-error')
          .textContent()
          .catch(() => '(nothing)')}`,
      );
    });
    return room;
  }

  it('carries audio, video and a screen share both ways, highlights the speaker, and leaves nothing behind', async () => {
    const t0 = Date.now();
    const step = (what: string) => console.log(`[media e2e] ${((Date.now() - t0) / 1000).toFixed(1)}s ${what}`);
    const teacherCtx = await browser.newContext();
    const teacherPage = await teacherCtx.newPage();
    const teacher = await enter(teacherPage, 'instructor');
    step('teacher in the room');
    await teacher.getByTestId('toggle-mic').click();
    await teacher.getByTestId('toggle-camera').click();
    await waitFor(
      async () =>
        (await teacher.locator('[data-testid=video-tile][data-self=true]').getAttribute('data-has-video')) === 'true',
      "the teacher's self view",
    );

    const studentCtx = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const studentPage = await studentCtx.newPage();
    const student = await enter(studentPage, 'student');
    step('student in the room');
    await student.getByTestId('toggle-camera').click();

    // The student receives and decodes the teacher's video and audio.
    await waitFor(
      async () => (await received(student, 'cameraFrames')) > 10,
      'video frames from the teacher decoded by the student',
      20_000,
    );
    await waitFor(
      async () => (await received(student, 'audioPackets')) > 20,
      'audio packets from the teacher received by the student',
      20_000,
    );
    // The only voice is the teacher's: highlighted as the active speaker on the student's screen.
    await waitFor(
      async () => (await student.locator(`${remote}[data-speaking=true]`).count()) === 1,
      'the teacher highlighted as speaker',
      20_000,
    );

    step('teacher seen, heard and highlighted');
    // And the other way.
    await student.getByTestId('toggle-mic').click();
    await waitFor(
      async () => (await received(teacher, 'cameraFrames')) > 10,
      'video frames from the student decoded by the teacher',
      20_000,
    );
    await waitFor(
      async () => (await received(teacher, 'audioPackets')) > 20,
      'audio packets from the student received by the teacher',
      20_000,
    );
    await waitFor(
      async () =>
        (await num(teacher, remote, 'data-quality')) >= 0 &&
        (await teacher.locator(`${remote} [data-quality]`).count()) === 1,
      "a connection quality shown on the student's tile",
    );

    step('student seen and heard');
    // A student cannot share a screen until the teacher allows it; the teacher's screen share reaches the student.
    expect(await student.getByTestId('toggle-screen').count()).toBe(0);
    await teacher.getByTestId('toggle-screen').click();
    await waitFor(
      async () => (await received(student, 'screenFrames')) > 5,
      "the teacher's screen share decoded by the student",
      20_000,
    );

    step('screen share received');
    await studentPage.screenshot({ path: '.cache/media-phone.png' });
    await teacherPage.screenshot({ path: '.cache/media-laptop.png' });

    // The teacher mutes the student: the student's microphone is paused in the SFU and in the page.
    const media = t.app.get(MediaService);
    const sessionId = [...(media as unknown as { rooms: Map<string, unknown> }).rooms.keys()][0];
    const room = media.room(sessionId)!;
    expect(room.peers.size).toBe(2);
    const studentPeer = [...room.peers.values()].find((p) => !p.identity.canTeach)!;
    await teacher.locator('[data-participant="Grace Hopper"] button[title=Mute]').click();
    await waitFor(() => studentPeer.producerOf('mic')?.paused === true, "the student's mic paused in the SFU");
    await waitFor(
      async () => (await student.getByTestId('toggle-mic').getAttribute('aria-pressed')) === 'false',
      "the student's page showing the mute",
    );

    step('mute acted on');
    // Both leave: the teacher through the lobby link, the student by closing the tab (grace period).
    await teacher.getByTestId('back-to-lobby').click();
    await studentCtx.close();
    await waitFor(() => media.room(sessionId) === undefined, 'the media room closed after both left', 10_000);
    expect((await media.workers.dump(0)).routerIds).toEqual([]);
    step('all closed');
    await teacherCtx.close();
  }, 180_000);

  it('moves the class from the LMS frame to a window of its own, signed in without a new launch', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const teacher = await enter(page, 'instructor');
    const [popup] = await Promise.all([page.waitForEvent('popup'), teacher.getByTestId('popout').click()]);
    // The window is first-party (the tool's own origin), in the room, with its media connected.
    await popup.waitForURL(/\/room\//, { timeout: 15_000 });
    expect(new URL(popup.url()).origin).toBe(new URL(t.url).origin);
    await popup.getByTestId('connection').filter({ hasText: 'Live' }).waitFor({ timeout: 15_000 });
    await waitFor(
      async () => (await popup.getByTestId('media-state').getAttribute('data-media-state')) === 'connected',
      'media connected in the window',
      20_000,
    );
    expect(await popup.getByTestId('popout').count()).toBe(0); // not framed any more
    // The frame went back to the lobby and says where the class is.
    const lobby = await frameAt(page, '/lobby');
    expect(await lobby.getByTestId('lobby-notice').textContent()).toContain('own window');
    await ctx.close();
  }, 90_000);

  it('recovers by itself when the media worker dies: both browsers rejoin and video flows again', async () => {
    const teacherCtx = await browser.newContext();
    const teacher = await enter(await teacherCtx.newPage(), 'instructor');
    if ((await teacher.getByTestId('toggle-camera').getAttribute('aria-pressed')) === 'false')
      await teacher.getByTestId('toggle-camera').click();
    const studentCtx = await browser.newContext();
    const student = await enter(await studentCtx.newPage(), 'student');
    await waitFor(async () => (await received(student, 'cameraFrames')) > 5, 'video before the crash', 20_000);
    const media = t.app.get(MediaService);
    const before = [...(media as unknown as { rooms: Map<string, unknown> }).rooms.values()][0];
    const [pid] = media.workers.pids();
    process.kill(pid, 'SIGKILL');
    // A new worker, a new room on it with both people back, the teacher's camera sent again by the browser
    // (it kept its track) and forwarded to the student.
    await waitFor(
      async () => {
        const room = [
          ...(
            media as unknown as { rooms: Map<string, import('../backend/src/media/sfu/media-room').MediaRoom> }
          ).rooms.values(),
        ][0];
        if (!room || room === before || room.peers.size !== 2) return false;
        for (const peer of room.peers.values()) {
          for (const c of peer.consumers.values()) {
            if (c.kind !== 'video') continue;
            const stats = await c.getStats().catch(() => []);
            if (stats.some((x) => x.type === 'outbound-rtp' && x.packetCount > 50)) return true;
          }
        }
        return false;
      },
      'video forwarded again through the new worker',
      30_000,
    ).catch(async (e) => {
      const room = [
        ...(
          media as unknown as { rooms: Map<string, import('../backend/src/media/sfu/media-room').MediaRoom> }
        ).rooms.values(),
      ][0];
      const peers = room
        ? [...room.peers.values()].map(
            (p) =>
              `${p.identity.name}: producers ${[...p.producers.values()].map((x) => x.appData.source)} consumers ${p.consumers.size}`,
          )
        : [];
      throw new Error(
        `${(e as Error).message}; room ${room === before ? 'old' : room ? 'new' : 'none'}: ${peers.join('; ')}; teacher says: ${await teacher
          .getByTestId('media-error')
          .textContent()
          .catch(() => '-')}; student says: ${await student
          .getByTestId('media-error')
          .textContent()
          .catch(() => '-')}`,
      );
    });
    expect(media.workers.pids()[0]).not.toBe(pid);
    await waitFor(
      async () => (await student.getByTestId('media-state').getAttribute('data-media-state')) === 'connected',
      'the student connected again',
    );
    await waitFor(
      async () => (await received(student, 'cameraFrames')) > 5,
      'the student decoding video again',
      20_000,
    );
    await teacherCtx.close();
    await studentCtx.close();
  }, 120_000);
});
