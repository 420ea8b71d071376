/**
 * The few server-rendered pages of the launch flow: errors, the LTI client-side storage steps
 * (lti.put_data at login, lti.get_data at launch) and the new-window fallback.
 */
export const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** JSON for embedding inside a <script> element. */
const scriptJson = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c');

/** A page's data, read by its script: the scripts themselves never change, so the CSP allows them by hash. */
const dataBlock = (v: unknown) => `<script type="application/json" id="lectern-data">${scriptJson(v)}</script>`;

const STORAGE_PUT_SCRIPT = `
(function () {
  var p = JSON.parse(document.getElementById('lectern-data').textContent);
  var done = false;
  function go() { if (!done) { done = true; window.location.replace(p.authUrl); } }
  var frame = p.target === '_parent' ? window.parent : (window.parent.frames[p.target] || window.parent);
  var id = 'put-' + Math.random().toString(36).slice(2);
  window.addEventListener('message', function (e) {
    if (e.origin === p.platformOrigin && e.data && e.data.subject === 'lti.put_data.response' && e.data.message_id === id) go();
  });
  try { frame.postMessage({ subject: 'lti.put_data', message_id: id, key: p.key, value: p.value }, p.platformOrigin); } catch (err) { go(); }
  setTimeout(go, 2000);
})();
`;

const STORAGE_CHECK_SCRIPT = `
(function () {
  var p = JSON.parse(document.getElementById('lectern-data').textContent);
  var settled = false;
  function fail() { if (!settled) { settled = true; document.getElementById('failed').hidden = false; } }
  var frame = p.target === '_parent' ? window.parent : (window.parent.frames[p.target] || window.parent);
  var id = 'get-' + Math.random().toString(36).slice(2);
  window.addEventListener('message', function (e) {
    if (settled || e.origin !== p.platformOrigin || !e.data || e.data.subject !== 'lti.get_data.response' || e.data.message_id !== id) return;
    settled = true;
    if (e.data.value === p.expected) document.getElementById('continue').submit(); else { settled = false; fail(); }
  });
  try { frame.postMessage({ subject: 'lti.get_data', message_id: id, key: p.key }, p.platformOrigin); } catch (err) { fail(); }
  setTimeout(fail, 3000);
})();
`;

const REGISTRATION_CLOSE_SCRIPT =
  "(window.opener || window.parent).postMessage({ subject: 'org.imsglobal.lti.close' }, '*');";

/** Every inline script these pages carry, for the Content-Security-Policy's hashes. */
export const LAUNCH_PAGE_SCRIPTS = [STORAGE_PUT_SCRIPT, STORAGE_CHECK_SCRIPT, REGISTRATION_CLOSE_SCRIPT];

const layout = (title: string, body: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Lectern</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 0; padding: 2rem 1rem; color: #1f2933; background: #f5f7fa; }
  main { max-width: 36rem; margin: 0 auto; background: #fff; border-radius: 12px; padding: 1.5rem; box-shadow: 0 1px 3px rgba(0,0,0,.1); }
  h1 { font-size: 1.25rem; margin-top: 0; } code { background: #eef2f7; padding: 0 .3em; border-radius: 4px; }
  .btn { display: inline-block; background: #2563eb; color: #fff; border: 0; border-radius: 8px; padding: .7rem 1.1rem; font-size: 1rem; text-decoration: none; cursor: pointer; }
  .muted { color: #52606d; font-size: .9rem; }
</style></head><body><main>${body}</main></body></html>`;

export function errorPage(code: string, message: string): string {
  return layout(
    'Launch refused',
    `<h1>Lectern could not open this launch</h1>
     <p id="error-message">${escapeHtml(message)}</p>
     <p class="muted">Error code: <code id="error-code">${escapeHtml(code)}</code>. Go back to your course and launch Lectern again;
     if this keeps happening, give this code to your LMS administrator.</p>`,
  );
}

/** Login step with client-side storage: store the state in the platform's frame, then go to the platform. */
export function storagePutPage(p: {
  target: string;
  platformOrigin: string;
  key: string;
  value: string;
  authUrl: string;
}): string {
  return layout(
    'Signing you in',
    `<h1>Signing you in…</h1><p class="muted">Connecting to your course.</p>
${dataBlock(p)}<script>${STORAGE_PUT_SCRIPT}</script>`,
  );
}

/** Launch step with client-side storage: read back what login stored; continue only if it matches. */
export function storageCheckPage(p: {
  target: string;
  platformOrigin: string;
  key: string;
  expected: string;
  ticket: string;
  action: string;
  newWindowUrl: string;
}): string {
  return layout(
    'Checking your launch',
    `<h1>Checking your launch…</h1>
<form id="continue" method="post" action="${escapeHtml(p.action)}"><input type="hidden" name="lectern_ticket" value="${escapeHtml(p.ticket)}"></form>
<div id="failed" hidden><p>Your browser blocked what Lectern needs to open inside the course page.</p>
<p><a class="btn" id="open-new-window" href="${escapeHtml(p.newWindowUrl)}" target="_blank" rel="opener">Open Lectern in a new window</a></p></div>
${dataBlock({ target: p.target, platformOrigin: p.platformOrigin, key: p.key, expected: p.expected })}<script>${STORAGE_CHECK_SCRIPT}</script>`,
  );
}

/** Nothing could bind the launch to this browser inside the iframe: start it again in a window of its own. */
export function newWindowPage(newWindowUrl: string): string {
  return layout(
    'Open in a new window',
    `<h1>Open Lectern in a new window</h1>
     <p>Your browser blocks the cookies Lectern needs while it is shown inside the course page.</p>
     <p><a class="btn" id="open-new-window" href="${escapeHtml(newWindowUrl)}" target="_blank" rel="opener">Open Lectern in a new window</a></p>
     <p class="muted">You will land in the same class; this page can stay open.</p>`,
  );
}

/** The end of Dynamic Registration: tell the platform to close the registration window (LTI DR 1.0, 3.7). */
export function registrationDonePage(p: { name: string; clientId: string; deployments: string[] }): string {
  return layout(
    'Lectern registered',
    `<h1 id="registration-done">Lectern is registered</h1>
     <p>${escapeHtml(p.name)}: client id <code>${escapeHtml(p.clientId)}</code>${p.deployments.length ? `, deployment <code>${escapeHtml(p.deployments.join(', '))}</code>` : ''}.</p>
     <p class="muted">This window closes by itself.</p>
<script>${REGISTRATION_CLOSE_SCRIPT}</script>`,
  );
}

export function registrationFailedPage(problems: string[]): string {
  return layout(
    'Registration failed',
    `<h1>Lectern could not register with this platform</h1><ul id="registration-problems">${problems.map((x) => `<li>${escapeHtml(x)}</li>`).join('')}</ul>
     <p class="muted">Nothing was registered. Fix the platform's configuration and paste the registration URL again.</p>`,
  );
}
