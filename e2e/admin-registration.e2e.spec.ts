import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, TestApp } from '../backend/src/testing/test-app';
import { LaunchClient } from '../backend/src/testing/lti-client';
import { launchChromium } from './browser';

const ADMIN_TOKEN = 'admin-token-for-the-registration-e2e-01';

/**
 * The operator's console in Chromium, as lti-config/README.md sends an operator to it: make a registration
 * invite (copy its URL, see its expiry) and let an LMS (the dev LMS answering as Canvas) register with it;
 * register an LMS by hand (a bad value named, a good one listed with its deployments); each platform's
 * last launch and grade passback state.
 */
describe('admin console: registering LMSs in the browser', () => {
  let t: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    t = await startTestApp({ ADMIN_TOKEN });
    browser = await launchChromium();
    await new LaunchClient(t).launch('phys-101', 'dev-ada');
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('makes an invite an LMS registers with, registers one by hand, and shows launches and grade health', async () => {
    const context = await browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'] });
    const page = await context.newPage();
    await page.goto(`${t.url}/admin`);
    await page.getByTestId('admin-token').fill(ADMIN_TOKEN);
    await page.getByTestId('admin-sign-in').click();
    const devRow = page.locator('[data-testid=platforms] tbody tr', { hasText: 'lectern-dev-client' });
    await devRow.waitFor();
    expect(await devRow.getByTestId('last-launch').textContent()).not.toContain('never');
    expect(await devRow.getByTestId('grade-health').textContent()).toContain('all sent');

    // An invite: a URL to copy, and when it stops working.
    await page.getByTestId('make-invite').click();
    const url = await page.getByTestId('invite-url').inputValue();
    expect(url).toMatch(new RegExp(`^${t.url}/lti/register\\?invite=`));
    expect(await page.getByTestId('invite-expiry').textContent()).toMatch(/valid until/);
    await page.getByTestId('copy-invite').click();
    await page.getByTestId('copy-invite').getByText('Copied').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(url);

    // The LMS admin pastes it (the dev LMS answering as Canvas); the new platform appears in the console.
    const before = await page.locator('[data-testid=platforms] tbody tr:has(code)').count();
    const lms = await context.newPage();
    await lms.goto(`${t.platformUrl}/admin/tools/register?as=canvas&url=${encodeURIComponent(url)}`);
    // The dev LMS goes back to its tool list once the tool has registered and closed the frame.
    await lms.waitForURL(/\/admin\/tools$/, { timeout: 20_000 });
    await lms.close();
    await page.reload();
    await page.getByTestId('admin-token').fill(ADMIN_TOKEN);
    await page.getByTestId('admin-sign-in').click();
    const dynamic = page.locator('[data-testid=platforms] tbody tr', { hasText: /dynamic registration ·/ });
    await dynamic.first().waitFor();
    expect(await page.locator('[data-testid=platforms] tbody tr:has(code)').count()).toBe(before + 1);
    expect(await dynamic.first().getByTestId('last-launch').textContent()).toContain('never');

    // By hand: a bad value is named; good values register, with their deployments.
    await page.getByTestId('manual-open').click();
    await page.getByTestId('manual-issuer').fill('not a url');
    await page.getByTestId('manual-register').click();
    expect(await page.getByTestId('register-error').textContent()).toMatch(/issuer/);
    await page.getByTestId('manual-issuer').fill('https://moodle.school.example');
    await page.getByTestId('manual-clientId').fill('m-client-7');
    await page.getByTestId('manual-authUrl').fill('https://moodle.school.example/mod/lti/auth.php');
    await page.getByTestId('manual-tokenUrl').fill('https://moodle.school.example/mod/lti/token.php');
    await page.getByTestId('manual-jwksUrl').fill('https://moodle.school.example/mod/lti/certs.php');
    await page.getByTestId('manual-name').fill('School Moodle');
    await page.getByTestId('manual-deployments').fill('3, 4');
    await page.getByTestId('manual-register').click();
    await page.getByTestId('manual-done').waitFor();
    const moodle = page.locator('[data-testid=platforms] tbody tr', { hasText: 'School Moodle' });
    await moodle.waitFor();
    expect((await moodle.getByTestId('deployments').textContent())?.trim()).toBe('3, 4');
    const [row] = await t.db.query(`SELECT source FROM lti_platform WHERE client_id = 'm-client-7'`);
    expect(row.source).toBe('manual');
    await context.close();
  });
});
