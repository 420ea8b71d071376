import type { Browser, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mediaTestsOptedOut, requireWorker } from '../backend/src/media/testing/worker-check';
import { startCoturn } from '../backend/src/testing/coturn';
import { startTestApp, TestApp } from '../backend/src/testing/test-app';
import { waitFor } from '../backend/src/testing/wait-for';
import { frameAt, launchChromium } from './browser';
// @ts-expect-error plain ESM module shared with the start script
import { freePort } from '../scripts/services.mjs';

/**
 * TURN for networks that block UDP to the SFU: with relay-only ICE, both browsers' media goes through a
 * real coturn started here on loopback, authenticated by the ephemeral REST-API credentials Lectern
 * hands out, and the student still decodes the teacher's video.
 */
describe.skipIf(mediaTestsOptedOut())('TURN: relay-only media through coturn', () => {
  let t: TestApp;
  let browser: Browser;
  let turn: Awaited<ReturnType<typeof startCoturn>>;

  beforeAll(async () => {
    requireWorker();
    turn = await startCoturn(await freePort());
    t = await startTestApp({
      TURN_URLS: turn.url,
      TURN_SECRET: turn.secret,
      MEDIA_FORCE_RELAY: 'true',
      MEDIA_PEER_GRACE_MS: '1000',
    });
    browser = await launchChromium({ fakeMedia: true });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await turn?.stop();
  });

  async function enter(page: Page, who: 'instructor' | 'student'): Promise<Frame> {
    await page.goto(`${t.platformUrl}/?course=phys-101`);
    await page.click(`#launch-${who}`);
    const lobby = await frameAt(page, '/lobby');
    await lobby.getByTestId(who === 'instructor' ? 'start-class' : 'enter-class').click();
    const room = await frameAt(page, '/room/');
    await waitFor(
      async () =>
        (await room
          .getByTestId('media-state')
          .getAttribute('data-media-state')
          .catch(() => null)) === 'connected',
      `${who}'s media signalling`,
      20_000,
    );
    return room;
  }

  it('connects a relay-only client through coturn and carries video', async () => {
    const teacherCtx = await browser.newContext();
    const teacher = await enter(await teacherCtx.newPage(), 'instructor');
    await teacher.getByTestId('toggle-camera').click();
    const studentCtx = await browser.newContext();
    const student = await enter(await studentCtx.newPage(), 'student');

    await waitFor(
      async () =>
        (await student
          .evaluate(() => {
            const peer = document.querySelector('[data-testid=video-tile][data-self=false]')?.getAttribute('data-peer');
            const readout = (
              globalThis as unknown as {
                lecternMedia?: { received(): Array<{ peerId: string; cameraFrames: number }> };
              }
            ).lecternMedia;
            return readout?.received().find((c) => c.peerId === peer)?.cameraFrames ?? 0;
          })
          .catch(() => 0)) > 10,
      "the teacher's video decoded by the relay-only student",
      30_000,
    );
    await waitFor(
      async () => (await student.getByTestId('media-state').getAttribute('data-route')) === 'relay',
      "the student's selected ICE route being the TURN relay",
      10_000,
    );
    expect(await teacher.getByTestId('media-state').getAttribute('data-route')).toBe('relay');
    // coturn saw authenticated allocations (the REST-API credentials worked).
    expect(turn.log()).toMatch(/ALLOCATE.*success|allocation.*success|session .* new, realm=<lectern.test>/i);
    await teacherCtx.close();
    await studentCtx.close();
  }, 120_000);

  it('hands out credentials coturn accepts: "<expiry>:<user>" and an HMAC of it', async () => {
    const { LaunchClient } = await import('../backend/src/testing/lti-client');
    const launch = new LaunchClient(t);
    const token = await launch.launch('phys-101', 'dev-grace');
    const { iceServers } = (await (await launch.api('/api/media/ice-servers', token)).json()) as {
      iceServers: Array<{ urls: string[]; username: string; credential: string }>;
    };
    expect(iceServers).toHaveLength(1);
    expect(iceServers[0].urls).toEqual([turn.url]);
    const [expiry] = iceServers[0].username.split(':');
    expect(Number(expiry) * 1000).toBeGreaterThan(Date.now() + 3600_000);
  });
});
