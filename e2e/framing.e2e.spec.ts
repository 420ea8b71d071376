import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, ConsoleMessage } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, TestApp } from '../backend/src/testing/test-app';
import { frameAt, launchChromium } from './browser';

const cspComplaints = (messages: ConsoleMessage[]) =>
  messages.map((m) => m.text()).filter((t) => /Content Security Policy|Refused to (frame|load|execute|apply)/i.test(t));

describe('who may frame Lectern, in Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  let stranger: http.Server;
  let strangerUrl: string;

  beforeAll(async () => {
    t = await startTestApp();
    browser = await launchChromium();
    // A site that is no registered platform: another port is another origin.
    stranger = http.createServer((_req, res) =>
      res.setHeader('content-type', 'text/html').end(`<iframe id="lectern" src="${t.url}/lobby"></iframe>`),
    );
    await new Promise<void>((resolve) => stranger.listen(0, '127.0.0.1', resolve));
    strangerUrl = `http://127.0.0.1:${(stranger.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await new Promise<void>((resolve) => stranger?.close(() => resolve()));
  });

  it('runs inside the dev LMS (a registered platform) with no CSP complaint, its stylesheet switched on', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const messages: ConsoleMessage[] = [];
    context.on('console', (m) => messages.push(m));
    await page.goto(`${t.platformUrl}/?course=phys-101`);
    await page.click('#launch-instructor');
    const lobby = await frameAt(page, '/lobby');
    await lobby.getByTestId('course-title').waitFor({ timeout: 15_000 });
    // The built index's inline script (allowed by hash) turns the print-only stylesheet on.
    await lobby.waitForFunction(
      () =>
        [...document.querySelectorAll('link[rel=stylesheet]')].every((l) => (l as HTMLLinkElement).media !== 'print'),
      undefined,
      { timeout: 5000 },
    );
    expect(cspComplaints(messages)).toEqual([]);
    await context.close();
  });

  it('refuses to be framed by a site that is no registered platform', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const messages: ConsoleMessage[] = [];
    page.on('console', (m) => messages.push(m));
    await page.goto(strangerUrl);
    await expect
      .poll(() => cspComplaints(messages).some((t) => /frame-ancestors/.test(t)), { timeout: 10_000 })
      .toBe(true);
    const frame = page.frames().find((f) => f !== page.mainFrame());
    const rendered = await frame?.evaluate(() => document.querySelector('app-root') !== null).catch(() => false);
    expect(rendered).toBeFalsy();
    await context.close();
  });
});
