import { escapeHtml as e } from '../lti/launch-pages';
import { DEV_COURSES, DEV_LOCALES, DEV_USERS, DevCourse } from './domain/dev-lms-fixture';

/** The language the LMS sends with the launch (launch_presentation.locale): the person's setting in a real LMS. */
const localeSelect = (id: string) =>
  `<label>Language sent by the LMS <select name="locale" id="${id}"><option value="">(none)</option>${DEV_LOCALES.map(
    (l) => `<option value="${l}">${l}</option>`,
  ).join('')}</select></label>`;

const layout = (title: string, body: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(title)} · Dev LMS</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 0; background: #eef1f5; color: #1f2933; }
  header { background: #3b1f5c; color: #fff; padding: .8rem 1.2rem; display: flex; gap: 1rem; align-items: baseline; flex-wrap: wrap; }
  header small { opacity: .8; }
  main { max-width: 60rem; margin: 1rem auto; padding: 0 1rem; }
  section { background: #fff; border-radius: 10px; padding: 1rem 1.2rem; margin-bottom: 1rem; box-shadow: 0 1px 2px rgba(0,0,0,.08); }
  .btn { background: #6d28d9; color: #fff; border: 0; border-radius: 6px; padding: .55rem .9rem; font-size: .95rem; cursor: pointer; text-decoration: none; display: inline-block; }
  .btn.secondary { background: #475569; }
  table { border-collapse: collapse; width: 100%; } td, th { text-align: left; padding: .35rem .4rem; border-bottom: 1px solid #e5e7eb; }
  label { margin-right: 1rem; } .tool-frame { width: 100%; height: 80vh; border: 1px solid #cbd5e1; border-radius: 8px; background: #fff; }
  nav a { color: #fff; margin-right: 1rem; }
</style></head><body>
<header><strong>Dev LMS</strong><small>a development LTI 1.3 platform for Lectern — not for production</small></header>
<main>${body}</main></body></html>`;

export function coursePage(
  course: DevCourse,
  issuer: string,
  toolLoginUrl: string,
  placed: Array<{ id: number; title: string; text: string | null; lineitem_id: number | null }> = [],
): string {
  const members = course.members
    .map((m) => {
      const u = DEV_USERS.find((x) => x.id === m.userId)!;
      return `<tr><td>${e(u.name)}</td><td>${e(m.role)}</td><td>
        <form method="get" action="launch" style="display:inline"><input type="hidden" name="course" value="${e(course.id)}">
        <input type="hidden" name="user" value="${e(u.id)}"><button class="btn secondary" data-user="${e(u.id)}">Launch as ${e(u.name.split(' ')[0])}</button></form></td></tr>`;
    })
    .join('');
  const first = (role: string) => course.members.find((m) => m.role === role)!.userId;
  const courses = DEV_COURSES.map((c) => `<a href="?course=${e(c.id)}">${e(c.label)}</a>`).join('');
  return layout(
    course.title,
    `<section><nav style="margin-bottom:.5rem">${courses.replace(/<a /g, '<a style="color:#6d28d9;margin-right:1rem" ')}</nav>
      <h1 id="course-title">${e(course.title)} <small>(${e(course.label)})</small></h1>
      <p>Activity: <strong>${e(course.resourceLink.title)}</strong> — a Lectern live classroom.</p>
      <form method="get" action="launch" id="launch-form">
        <input type="hidden" name="course" value="${e(course.id)}">
        <p><label><input type="radio" name="presentation" value="iframe" checked> Embedded in the course page (iframe, as Canvas and Moodle do)</label>
        <label><input type="radio" name="presentation" value="window"> In a new window</label></p>
        <p><label><input type="checkbox" name="storage" value="1" checked> Offer LTI client-side storage (lti_storage_target)</label>
        ${localeSelect('launch-locale')}</p>
        <button class="btn" name="user" value="${e(first('Instructor'))}" id="launch-instructor">Launch as instructor</button>
        <button class="btn" name="user" value="${e(first('Learner'))}" id="launch-student">Launch as student</button>
      </form></section>
    <section><h2>Lectern in this course</h2>
      <p><a class="btn" id="deep-link" href="launch?course=${e(course.id)}&amp;user=${e(first('Instructor'))}&amp;dl=1&amp;storage=1">Add a Lectern classroom (deep linking)</a>
         <a class="btn secondary" href="gradebook?course=${e(course.id)}" id="open-gradebook">Gradebook</a>
         <a class="btn secondary" href="admin/tools" id="open-tools">Tools (admin)</a></p>
      ${
        placed.length
          ? `<table id="placed-links"><tr><th>Placed link</th><th>Graded</th><th></th></tr>${placed
              .map(
                (
                  l,
                ) => `<tr data-link="${l.id}"><td>${e(l.title)}${l.text ? `<br><small>${e(l.text)}</small>` : ''}</td><td>${l.lineitem_id ? 'yes' : 'no'}</td>
          <td><a class="btn secondary" data-launch-link-instructor="${l.id}" href="launch?course=${e(course.id)}&amp;user=${e(first('Instructor'))}&amp;link=${l.id}&amp;storage=1">Open as instructor</a>
              <a class="btn secondary" data-launch-link-student="${l.id}" href="launch?course=${e(course.id)}&amp;user=${e(first('Learner'))}&amp;link=${l.id}&amp;storage=1">Open as student</a></td></tr>`,
              )
              .join('')}</table>`
          : '<p class="muted">No link placed by deep linking yet.</p>'
      }
    </section>
    <section><h2>People</h2><table><tr><th>Name</th><th>Role</th><th></th></tr>${members}</table></section>
    <section><h2>Custom user</h2>
      <form method="get" action="launch" id="custom-form"><input type="hidden" name="course" value="${e(course.id)}">
        <input type="hidden" name="presentation" value="iframe"><input type="hidden" name="storage" value="1">
        <label>Name <input name="name" required maxlength="80" value="Marie Curie"></label>
        <label>Role <select name="role"><option>Learner</option><option>Instructor</option><option>TeachingAssistant</option><option>ContentDeveloper</option><option>Mentor</option><option value="None">None (empty roles claim)</option></select></label>
        ${localeSelect('custom-locale')}
        <button class="btn">Launch</button></form></section>
    <section class="muted"><h2>Platform details</h2><table>
      <tr><td>Issuer</td><td><code>${e(issuer)}</code></td></tr>
      <tr><td>JWKS</td><td><code>${e(issuer)}/jwks</code></td></tr>
      <tr><td>Authorization endpoint</td><td><code>${e(issuer)}/auth</code></td></tr>
      <tr><td>Tool login initiation</td><td><code>${e(toolLoginUrl)}</code></td></tr></table></section>`,
  );
}

/**
 * The LMS page that hosts the tool: an iframe pointing at the tool's login initiation, and the
 * platform side of LTI client-side storage (lti.capabilities, lti.put_data, lti.get_data).
 */
export function launchPage(p: {
  course: DevCourse;
  loginUrl: string;
  toolOrigin: string;
  presentation: 'iframe' | 'window';
  userName: string;
}): string {
  const tool =
    p.presentation === 'iframe'
      ? `<iframe class="tool-frame" id="tool" name="lectern-tool" src="${e(p.loginUrl)}" allow="camera; microphone; display-capture; fullscreen; autoplay"></iframe>`
      : `<p><a class="btn" id="open-tool" href="${e(p.loginUrl)}" target="_blank" rel="opener">Open Lectern</a> (opens in a new window)</p>`;
  return layout(
    p.course.title,
    `<section><p><a href="./?course=${e(p.course.id)}">← ${e(p.course.title)}</a> · signed in as <strong>${e(p.userName)}</strong></p>${tool}</section>
<script>
(function () {
  var toolOrigin = ${JSON.stringify(p.toolOrigin)};
  var store = {};
  window.addEventListener('message', function (ev) {
    var d = ev.data;
    if (ev.origin !== toolOrigin || !d || typeof d.subject !== 'string') return;
    var reply = function (m) { ev.source.postMessage(Object.assign({ message_id: d.message_id }, m), ev.origin); };
    if (d.subject === 'lti.capabilities') reply({ subject: 'lti.capabilities.response', supported_messages: [
      { subject: 'lti.put_data' }, { subject: 'lti.get_data' }] });
    else if (d.subject === 'lti.put_data') { store[ev.origin + '|' + d.key] = d.value; reply({ subject: 'lti.put_data.response', key: d.key, value: d.value }); }
    else if (d.subject === 'lti.get_data') reply({ subject: 'lti.get_data.response', key: d.key, value: store[ev.origin + '|' + d.key] });
  });
})();
</script>`,
  );
}

/** The OIDC authentication response: the browser posts the id_token to the tool. */
export function formPostPage(action: string, fields: Record<string, string>): string {
  const inputs = Object.entries(fields)
    .map(([k, v]) => `<input type="hidden" name="${e(k)}" value="${e(v)}">`)
    .join('');
  return `<!doctype html><html><head><meta charset="utf-8"><title>Launching…</title></head>
<body><form id="lti-launch" method="post" action="${e(action)}">${inputs}<noscript><button>Continue</button></noscript></form>
<script>document.getElementById('lti-launch').submit();</script></body></html>`;
}

export function platformErrorPage(message: string): string {
  return layout(
    'Error',
    `<section><h1>Dev LMS refused the request</h1><p id="platform-error">${e(message)}</p></section>`,
  );
}

/** The dev LMS gradebook: what arrived through AGS, and the switch that takes AGS down. */
export function gradebookPage(
  course: DevCourse,
  items: Array<{
    id: number;
    label: string;
    score_maximum: string;
    tag: string | null;
    resource_link_id: string | null;
  }>,
  scores: Array<{
    lineitem_id: number;
    user_id: string;
    score_given: string | null;
    score_maximum: string | null;
    timestamp: Date;
  }>,
  agsDown: boolean,
): string {
  const users = [...new Set(scores.map((s) => s.user_id))].sort();
  const cell = (li: number, u: string) => {
    const s = scores.find((x) => x.lineitem_id === li && x.user_id === u);
    return s
      ? `<td data-lineitem="${li}" data-user="${e(u)}">${e(s.score_given ?? '–')} / ${e(s.score_maximum ?? '–')}</td>`
      : '<td></td>';
  };
  const head = items
    .map(
      (i) =>
        `<th data-lineitem="${i.id}">${e(i.label)} <small>(${e(i.score_maximum)} pts${i.tag ? `, ${e(i.tag)}` : ''})</small></th>`,
    )
    .join('');
  const rows = users.map((u) => `<tr><td>${e(u)}</td>${items.map((i) => cell(i.id, u)).join('')}</tr>`).join('');
  return layout(
    `Gradebook ${course.label}`,
    `<section><p><a href="./?course=${e(course.id)}">← ${e(course.title)}</a></p>
      <h1>Gradebook: ${e(course.title)}</h1>
      <form method="post" action="gradebook/ags"><input type="hidden" name="course" value="${e(course.id)}">
        <p>Grade service (AGS): <strong id="ags-state">${agsDown ? 'DOWN' : 'up'}</strong>
        <button class="btn secondary" name="down" value="${agsDown ? '0' : '1'}" id="ags-toggle">${agsDown ? 'Bring AGS back up' : 'Take AGS down'}</button></p>
      </form>
      <table id="gradebook"><tr><th>User</th>${head}</tr>${rows}</table>
      ${items.length === 0 ? '<p class="muted" id="gradebook-empty">No line items yet.</p>' : ''}</section>`,
  );
}

export function deepLinkDonePage(
  courseId: string,
  links: Array<{ id: number; title: string; lineitem_id: number | null }>,
): string {
  return layout(
    'Added to the course',
    `<section><h1 id="deep-link-done">Added to the course</h1><ul>${links
      .map(
        (l) =>
          `<li data-link="${l.id}">${e(l.title)}${l.lineitem_id ? ' (graded: a gradebook column was created)' : ''}</li>`,
      )
      .join(
        '',
      )}</ul><p><a class="btn" href="./?course=${e(courseId)}" target="_top">Back to the course</a></p></section>`,
  );
}

export function toolsPage(
  clients: Array<{ clientId: string; deploymentId: string; name: string; loginUrl: string }>,
  defaultUrl: string,
): string {
  return layout(
    'Tools',
    `<section><p><a href="../">← Course</a></p><h1>LTI tools registered with this LMS</h1>
      <table id="tools"><tr><th>Tool</th><th>Client id</th><th>Deployment</th><th></th></tr>${clients
        .map(
          (
            c,
          ) => `<tr data-client="${e(c.clientId)}"><td>${e(c.name)}</td><td><code>${e(c.clientId)}</code></td><td><code>${e(c.deploymentId)}</code></td>
          <td><a class="btn secondary" data-launch-client="${e(c.clientId)}" href="../launch?course=phys-101&amp;user=dev-ada&amp;client=${e(c.clientId)}&amp;storage=1">Launch as instructor</a></td></tr>`,
        )
        .join('')}</table></section>
    <section><h2>Register a tool by URL (LTI Dynamic Registration)</h2>
      <form method="get" action="tools/register" id="register-form">
        <label>Registration URL <input name="url" size="60" value="${e(defaultUrl)}"></label>
        <button class="btn" id="register-tool">Register</button></form></section>`,
  );
}

/** The tool's registration page in a frame; the LMS listens for the tool's "close" message. */
export function registrationPage(url: string, toolOrigin: string): string {
  return layout(
    'Registering a tool',
    `<section><p><a href="../tools">← Tools</a></p><h1>Registering a tool</h1>
      <p id="registration-state">In progress…</p>
      <iframe class="tool-frame" style="height:50vh" id="registration" src="${e(url)}"></iframe></section>
<script>
window.addEventListener('message', function (ev) {
  if (ev.origin !== ${JSON.stringify(toolOrigin)} || !ev.data || ev.data.subject !== 'org.imsglobal.lti.close') return;
  document.getElementById('registration-state').textContent = 'Registration complete.';
  document.getElementById('registration').remove();
  setTimeout(function () { window.location.href = '../tools'; }, 300);
});
</script>`,
  );
}
