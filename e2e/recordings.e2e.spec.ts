import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedRecordedClass } from '../backend/src/recording/testing/seed-class';
import { LaunchClient } from '../backend/src/testing/lti-client';
import { startTestApp, TestApp } from '../backend/src/testing/test-app';
import { waitFor } from '../backend/src/testing/wait-for';
import { frameAt, launchChromium } from './browser';

/**
 * A student who missed class opens its recording from the lobby in Debian's Chromium: the HLS playlist
 * (signed links, H.264/AAC; this Chromium decodes H.264 through Media Source Extensions, checked below)
 * plays through hls.js and the video's time advances, the chapters are listed, the board pane is painted,
 * and the shortcuts change speed and seek. The class is a synthetic capture (FFmpeg test sources in the
 * capture's format) put in the database; the recording is made by the real job.
 */
describe('recordings in Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  let dir: string;
  let recordingId: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'lectern-rec-e2e-'));
    t = await startTestApp({
      RECORDING_DIR: path.join(dir, 'capture'),
      RECORDINGS_WORK_DIR: path.join(dir, 'work'),
      RECORDINGS_STORAGE_DIR: path.join(dir, 'store'),
      RECORDINGS_CAPTURE_WAIT_MS: '2000',
    });
    browser = await launchChromium();
    const launch = new LaunchClient(t);
    const teacher = await launch.launch('phys-101', 'dev-ada');
    const started = (await (await launch.api('/api/classroom/sessions', teacher, { method: 'POST' })).json()) as {
      session: { id: string };
    };
    const sessionId = started.session.id;
    await seedRecordedClass((sql, params) => t.db.query(sql, params), path.join(dir, 'capture'), sessionId, 20);
    expect(
      (await launch.api(`/api/classroom/sessions/${sessionId}/end`, teacher, { method: 'POST' })).status,
    ).toBeLessThan(300);
    const ready = await waitFor(
      async () =>
        (
          (await t.db.query(`SELECT id, status FROM recording WHERE session_id = $1`, [sessionId])) as Array<{
            id: string;
            status: string;
          }>
        ).find((r) => r.status === 'ready'),
      'the recording ready',
      120_000,
    );
    recordingId = ready.id;
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('plays the HLS recording with its chapters, the board beside it, and the shortcuts', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const h264 = await page.evaluate(() => MediaSource.isTypeSupported('video/mp4; codecs="avc1.64001f,mp4a.40.2"'));
    expect(h264, 'this Chromium decodes H.264 through MSE').toBe(true);
    await page.goto(`${t.platformUrl}/launch?course=phys-101&user=dev-grace&storage=1`);
    const lobby = await frameAt(page, '/lobby');
    await lobby.click('[data-testid=nav-recordings]');
    await lobby.waitForSelector('[data-testid=recording-link]', { timeout: 30_000 });
    await lobby.click('[data-testid=recording-link]');
    await lobby.waitForSelector('[data-testid=recording-video]', { timeout: 20_000 }).catch(async (e: Error) => {
      await page.screenshot({ path: '/tmp/rec-e2e.png', timeout: 5000 }).catch(() => undefined);
      throw new Error(
        `${e.message}\nframes: ${page
          .frames()
          .map((f) => f.url())
          .join(' ')}`,
      );
    });
    expect(lobby.url()).toContain(`/recordings/${recordingId}`);
    await waitFor(async () => (await lobby.$$('[data-testid=chapter]')).length === 4, 'four chapters listed');
    expect(await lobby.$$eval('[data-testid=chapter]', (els) => els.map((e) => e.textContent?.trim()))).toEqual([
      '0:00 Start of class',
      '0:05 Screen share',
      '0:12 Screen share ended',
      '0:16 Worked example',
    ]);
    await lobby.evaluate(() => {
      const v = document.querySelector('video')!;
      v.muted = true;
      return v.play();
    });
    await waitFor(
      async () => (await lobby.evaluate(() => document.querySelector('video')!.currentTime)) > 1.5,
      'the video playing (currentTime advancing)',
      30_000,
    );
    // The board pane is painted: some pixel of the canvas is not white once strokes are on the page.
    await lobby.click('[data-testid=chapter] >> nth=3');
    await waitFor(
      () =>
        lobby.evaluate(() => {
          const c = document.querySelector<HTMLCanvasElement>('[data-testid=board-pane] canvas')!;
          const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
          for (let i = 0; i < d.length; i += 4) if (d[i] < 200 && d[i + 2] > 150) return true; // blue ink
          return false;
        }),
      'strokes of page 2 on the board pane',
    );
    await lobby.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('>');
    expect(await lobby.evaluate(() => document.querySelector('video')!.playbackRate)).toBe(1.25);
    const before = await lobby.evaluate(() => document.querySelector('video')!.currentTime);
    await page.keyboard.press('j');
    expect(await lobby.evaluate(() => document.querySelector('video')!.currentTime)).toBeLessThan(before - 5);
    await ctx.close();
  }, 120_000);
});
