import fs from 'node:fs';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';
import { waitFor } from '../backend/src/testing/wait-for';

/** Debian's Chromium binary (the real one, not the /usr/bin wrapper script). Never a downloaded browser. */
export function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/lib/chromium/chromium', '/usr/bin/chromium'].filter(
    Boolean,
  ) as string[];
  const found = candidates.find((p) => fs.existsSync(p));
  if (!found) {
    throw new Error(
      "Chromium not found: install Debian's package (apt-get install chromium) or set CHROMIUM_PATH. `npm test` installs it when run as root.",
    );
  }
  return found;
}

const BASE_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export async function launchChromium(
  opts: { blockThirdPartyCookies?: boolean; fakeMedia?: boolean; args?: string[] } = {},
): Promise<Browser> {
  const args = [...BASE_ARGS, ...(opts.args ?? [])];
  // Camera and microphone from Chromium's fake devices (a test pattern and a beep), permission granted,
  // and the screen picker answered by itself.
  if (opts.fakeMedia)
    args.push(
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      '--auto-select-desktop-capture-source=Entire screen',
      '--autoplay-policy=no-user-gesture-required',
    );
  // Chromium's switch for testing the third-party cookie phase-out: cookies of a site embedded in
  // another site's page are neither sent nor stored, as when a user blocks third-party cookies.
  if (opts.blockThirdPartyCookies) args.push('--test-third-party-cookie-phaseout');
  const browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args, timeout: 60_000 });
  // Every page traces its requests (kept only for failure messages).
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (...a: Parameters<Browser['newContext']>) => {
    const ctx = await newContext(...a);
    ctx.on('page', traceRequests);
    return ctx;
  };
  return browser;
}

const pathOf = (url: string) => {
  try {
    return new URL(url).pathname;
  } catch {
    return ''; // about:blank and the like
  }
};

const traces = new WeakMap<Page, string[]>();

/** Records the page's requests, so that a test that waits in vain can say where the page got stuck. */
export function traceRequests(page: Page): void {
  const log: string[] = [];
  traces.set(page, log);
  const t0 = Date.now();
  const at = () => `${((Date.now() - t0) / 1000).toFixed(1)}s`;
  page.on('request', (r) => log.push(`${at()} -> ${r.method()} ${r.url().slice(0, 120)}`));
  page.on('response', (r) => log.push(`${at()} <- ${r.status()} ${r.url().slice(0, 120)}`));
  page.on('requestfailed', (r) => log.push(`${at()} !! ${r.failure()?.errorText} ${r.url().slice(0, 120)}`));
}

/** The first frame inside `page` (not the page itself) whose path starts with `path`. */
export async function frameAt(page: Page, path: string): Promise<Frame> {
  const find = async () => {
    for (const f of page.frames()) {
      if (f === page.mainFrame()) continue;
      if (pathOf(f.url()).startsWith(path)) return f;
      // After a cross-site navigation in the frame (its own process) and a pushState, Playwright's
      // recorded URL can lag: ask the document itself.
      const live = await Promise.race([
        f.evaluate(() => location.pathname).catch(() => ''),
        new Promise<string>((r) => setTimeout(() => r(''), 1000)),
      ]);
      if (live.startsWith(path)) return f;
    }
    return null;
  };
  try {
    if (path !== '/lobby') return await waitFor(find, `a frame at ${path}`, 45_000);
    // The launch into the lobby: under a loaded run, Playwright now and then keeps the launch frame's
    // object from the platform's auth step while the lobby runs in it (its requests are seen, its frame
    // never). The launch is repeatable: reload the LMS page once, and say so.
    try {
      return await waitFor(find, `a frame at ${path}`, 25_000);
    } catch {
      console.log(
        `[e2e] no frame at ${path} after 25 s (frames: ${page
          .frames()
          .map((f) => pathOf(f.url()))
          .join(', ')}): reloading the LMS page once`,
      );
      await page.reload();
      return await waitFor(find, `a frame at ${path} after a reload`, 40_000);
    }
  } catch (e) {
    const trace = traces.get(page)?.slice(-30).join('\n') ?? '(no request trace: call traceRequests(page))';
    throw new Error(
      `${(e as Error).message}; frames: ${page
        .frames()
        .map((f) => f.url())
        .join(', ')}\n${trace}`,
      { cause: e },
    );
  }
}
