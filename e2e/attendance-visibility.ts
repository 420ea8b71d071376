import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium } from 'playwright-core';
import { chromiumPath } from './browser';

/**
 * A Chromium whose tabs really hide: the Page Visibility API says `hidden` when another tab of the window is in
 * front, as on a student's laptop.
 *
 * Why not `chromium.launch()`: Playwright turns on DevTools focus emulation (`Emulation.setFocusEmulationEnabled`)
 * on every page it opens in its own contexts, and Chromium keeps a page with focus emulation on visible whatever
 * is in front (checked: another tab in front, a minimised window, `Page.setWebLifecycleState`, all keep
 * `visibilityState` 'visible'). Turning it off from a second CDP session does not help either: each session that
 * turned it on holds the page visible. So this Chromium is started by hand (headless, with remote debugging) and
 * Playwright attaches over CDP with `noDefaults`, which leaves focus emulation off in the browser's default
 * context. A new tab opened there goes in front of the others in the same window, and the page behind gets
 * `visibilitychange` → `hidden`; bringing it back gives `visible`.
 */
export async function chromiumWithRealTabs(args: readonly string[]): Promise<{
  browser: Browser;
  context: BrowserContext;
  close: () => Promise<void>;
}> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'lectern-tabs-'));
  const child: ChildProcess = spawn(
    chromiumPath(),
    [...args, '--headless', '--remote-debugging-port=0', `--user-data-dir=${profile}`, 'about:blank'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const endpoint = await new Promise<string>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(
      () => reject(new Error(`Chromium gave no DevTools endpoint: ${seen.slice(-500)}`)),
      30_000,
    );
    child.stderr!.on('data', (d: Buffer) => {
      seen += d.toString();
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(seen);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`Chromium exited (${code}): ${seen.slice(-500)}`)));
  });
  const browser = await chromium.connectOverCDP(endpoint, { noDefaults: true, isLocal: true, timeout: 30_000 });
  const context = browser.contexts()[0];
  return {
    browser,
    context,
    close: async () => {
      await browser.close().catch(() => {});
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}
