import fs from 'node:fs';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';
import { waitFor } from '../backend/src/testing/wait-for';

/** Debian's Chromium binary (the real one, not the /usr/bin wrapper script). Never a downloaded browser. */
export function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/lib/chromium/chromium', '/usr/bin/chromium'].filter(Boolean) as string[];
  const found = candidates.find((p) => fs.existsSync(p));
  if (!found) {
    throw new Error('Chromium not found: install Debian\'s package (apt-get install chromium) or set CHROMIUM_PATH. `npm test` installs it when run as root.');
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

export function launchChromium(opts: { blockThirdPartyCookies?: boolean } = {}): Promise<Browser> {
  const args = [...BASE_ARGS];
  // Chromium's switch for testing the third-party cookie phase-out: cookies of a site embedded in
  // another site's page are neither sent nor stored, as when a user blocks third-party cookies.
  if (opts.blockThirdPartyCookies) args.push('--test-third-party-cookie-phaseout');
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args, timeout: 60_000 });
}

const pathOf = (url: string) => {
  try {
    return new URL(url).pathname;
  } catch {
    return ''; // about:blank and the like
  }
};

/** The first frame inside `page` (not the page itself) whose path starts with `path`. */
export function frameAt(page: Page, path: string): Promise<Frame> {
  return waitFor(
    async () => page.frames().find((f) => f !== page.mainFrame() && pathOf(f.url()).startsWith(path)) ?? null,
    `a frame at ${path} (frames: ${page.frames().map((f) => f.url()).join(', ')})`,
    // Generous: on a loaded 2-core machine the launch's several round trips can take a while.
    45_000,
  );
}
