import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAUNCH_PAGE_SCRIPTS, registrationDonePage, storageCheckPage, storagePutPage } from '../lti/launch-pages';
import { LtiService } from '../lti/lti.service';
import { startTestApp, TestApp } from '../testing/test-app';
import { waitFor } from '../testing/wait-for';
import { inlineScripts } from './security-headers';

const directive = (csp: string | null, name: string): string[] | undefined =>
  csp
    ?.split(';')
    .map((d) => d.trim().split(/\s+/))
    .find(([n]) => n === name)
    ?.slice(1);
const hashOf = (script: string) => `'sha256-${crypto.createHash('sha256').update(script, 'utf8').digest('base64')}'`;

const ADMIN_TOKEN = 'headers-operator-token-0123456789';

describe('security headers on the app and the API', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ ADMIN_TOKEN });
  });
  afterAll(() => t?.close());

  it('lets only the registered platforms (and the dev LMS) frame Lectern, sniff nothing, and keep X-Frame-Options out of the way', async () => {
    const devLmsOrigin = new URL(t.platformUrl).origin;
    for (const path of ['/', '/lobby', '/api/health', '/lti/keys', '/api/lobby']) {
      const res = await fetch(`${t.url}${path}`);
      const csp = res.headers.get('content-security-policy');
      expect(directive(csp, 'frame-ancestors'), path).toEqual(expect.arrayContaining(["'self'", devLmsOrigin]));
      expect(directive(csp, 'frame-ancestors'), path).not.toContain('*');
      expect(directive(csp, 'default-src'), path).toEqual(["'self'"]);
      expect(directive(csp, 'object-src'), path).toEqual(["'none'"]);
      expect(directive(csp, 'script-src'), path).not.toContain("'unsafe-inline'");
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('x-frame-options'), path).toBeNull();
      // http://localhost: no HSTS (ltijs's own helmet adds one under /lti, which browsers ignore over http),
      // and no upgrade of the dev platform's plain-http requests.
      if (!path.startsWith('/lti')) expect(res.headers.get('strict-transport-security'), path).toBeNull();
      expect(directive(csp, 'upgrade-insecure-requests'), path).toBeUndefined();
    }
  });

  it("lets the LMS show Lectern's icon in its own pages", async () => {
    const res = await fetch(`${t.url}/favicon.ico`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
  });

  it('adds a platform to frame-ancestors as soon as it is registered', async () => {
    const before = directive(
      (await fetch(`${t.url}/api/health`)).headers.get('content-security-policy'),
      'frame-ancestors',
    );
    expect(before).not.toContain('https://lms.example.edu');
    await t.app.get(LtiService).register({
      issuer: 'https://lms.example.edu',
      clientId: 'csp-client',
      authUrl: 'https://sso.example.edu/auth',
      tokenUrl: 'https://lms.example.edu/token',
      jwksUrl: 'https://lms.example.edu/jwks',
      deployments: ['1'],
    });
    await waitFor(
      async () => {
        const fa =
          directive((await fetch(`${t.url}/api/health`)).headers.get('content-security-policy'), 'frame-ancestors') ??
          [];
        return fa.includes('https://lms.example.edu') && fa.includes('https://sso.example.edu');
      },
      'the new platform in frame-ancestors',
      5000,
    );
  });

  it('adds the frame origins the operator gives a platform (Canvas frames from the school domain), and refuses anything but origins', async () => {
    const [p] = await t.db.query(`SELECT id FROM lti_platform WHERE issuer = 'https://lms.example.edu'`);
    const put = (body: unknown, id = p.id as string) =>
      fetch(`${t.url}/api/admin/platforms/${id}/frame-origins`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    for (const bad of [
      'https://school.example.edu/',
      'https://school.example.edu/courses',
      'javascript:alert(1)',
      "https://a.example.edu 'unsafe-inline'",
      '*',
      'https://a;b.example.edu',
    ]) {
      const res = await put({ origins: [bad] });
      expect(res.status, bad).toBe(400);
    }
    expect((await put({ origins: [] }, '00000000-0000-4000-8000-000000000000')).status).toBe(404);
    const ok = await put({
      origins: ['https://school.example.edu', 'https://school.example.edu', 'https://other.example.edu:8443'],
    });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({
      id: p.id,
      frameOrigins: ['https://other.example.edu:8443', 'https://school.example.edu'],
    });
    await waitFor(
      async () => {
        const fa =
          directive((await fetch(`${t.url}/lobby`)).headers.get('content-security-policy'), 'frame-ancestors') ?? [];
        return fa.includes('https://school.example.edu') && fa.includes('https://other.example.edu:8443');
      },
      'the operator-given origins in frame-ancestors',
      5000,
    );
    expect((await put({ origins: ['https://other.example.edu:8443'] })).status).toBe(200);
    await waitFor(
      async () => {
        const fa =
          directive((await fetch(`${t.url}/lobby`)).headers.get('content-security-policy'), 'frame-ancestors') ?? [];
        return !fa.includes('https://school.example.edu') && fa.includes('https://other.example.edu:8443');
      },
      'a removed origin gone from frame-ancestors',
      5000,
    );
  });

  it('stops letting a platform frame Lectern as soon as an administrator disables it, and lets it again when enabled', async () => {
    const [p] = await t.db.query(`SELECT id FROM lti_platform WHERE issuer = 'https://lms.example.edu'`);
    const frames = async () =>
      directive((await fetch(`${t.url}/lobby`)).headers.get('content-security-policy'), 'frame-ancestors') ?? [];
    expect(await frames()).toContain('https://lms.example.edu');
    const admin = (action: string) =>
      fetch(`${t.url}/api/admin/platforms/${p.id}/${action}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
    expect((await admin('disable')).ok).toBe(true);
    // Well within the 30 s cache: the disable itself refreshes the list.
    await waitFor(
      async () => !(await frames()).includes('https://lms.example.edu'),
      'the disabled platform gone from frame-ancestors',
      3000,
    );
    expect((await admin('enable')).ok).toBe(true);
    await waitFor(
      async () => (await frames()).includes('https://lms.example.edu'),
      'the enabled platform back in frame-ancestors',
      3000,
    );
  });

  it('serves nothing without its CSP through a path that only looks like the dev LMS (dot segments, escapes)', async () => {
    for (const p of ['/dev-platform/..%2findex.html', '/dev-platform/%2e%2e/lobby', '/dev-platform/..%2F..%2Flobby']) {
      const res = await fetch(`${t.url}${p}`);
      if (res.status === 200) expect(res.headers.get('content-security-policy'), p).toContain('frame-ancestors');
    }
  });

  it('allows every inline script the launch pages and the built app carry, by hash, and no other', async () => {
    const csp = (await fetch(`${t.url}/lobby`)).headers.get('content-security-policy');
    const scriptSrc = directive(csp, 'script-src')!;
    const pages = [
      storagePutPage({
        target: '_parent',
        platformOrigin: 'https://lms.example.edu',
        key: 'k',
        value: '</script><script>alert(1)</script>',
        authUrl: 'https://lms.example.edu/auth',
      }),
      storageCheckPage({
        target: '_parent',
        platformOrigin: 'https://lms.example.edu',
        key: 'k',
        expected: 'v',
        ticket: 't',
        action: '/lti',
        newWindowUrl: '/lti/login',
      }),
      registrationDonePage({ name: 'LMS', clientId: 'c', deployments: [] }),
      await (await fetch(`${t.url}/lobby`)).text(),
    ];
    const scripts = pages.flatMap(inlineScripts);
    expect(scripts.length).toBeGreaterThanOrEqual(LAUNCH_PAGE_SCRIPTS.length);
    for (const s of scripts) expect(scriptSrc, s.slice(0, 80)).toContain(hashOf(s));
    // The data a page carries is not script: an injected </script> in it stays inside the JSON block.
    expect(pages[0]).not.toContain('</script><script>alert(1)');
    expect(scriptSrc).not.toContain(hashOf('alert(1)'));
  });

  it('lets any LMS frame the Dynamic Registration page, which comes before the LMS is registered', async () => {
    const res = await fetch(`${t.url}/lti/register`);
    expect(directive(res.headers.get('content-security-policy'), 'frame-ancestors')).toEqual(['https:', 'http:']);
  });

  it('sends HSTS and upgrades requests when the public URL is https', async () => {
    const https = await startTestApp({ PUBLIC_URL: 'https://lectern.example.edu' });
    try {
      const res = await fetch(`http://127.0.0.1:${https.config.port}/api/health`);
      expect(res.headers.get('strict-transport-security')).toBe('max-age=31536000');
      const csp = res.headers.get('content-security-policy');
      expect(directive(csp, 'upgrade-insecure-requests')).toEqual([]);
      expect(
        directive(
          (await fetch(`http://127.0.0.1:${https.config.port}/lti/register`)).headers.get('content-security-policy'),
          'frame-ancestors',
        ),
      ).toEqual(['https:']);
    } finally {
      await https.close();
    }
  });
});
