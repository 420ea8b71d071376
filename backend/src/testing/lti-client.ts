import type { TestApp } from './test-app';

const unescapeHtml = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** The claims of a JWT, unverified (tests read what the platform signed). */
export const decodeClaims = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString()) as Record<string, unknown>;

/** The error code shown on one of Lectern's launch error pages. */
export const errorCodeOf = (html: string) => /id="error-code">([^<]*)</.exec(html)?.[1];

export interface LoginStep {
  authUrl: URL;
  state: string;
  nonce: string;
  cookie: string;
}

/**
 * Walks the LTI 1.3 launch as a browser would (without JavaScript): platform page → tool login
 * initiation → platform authorization → form_post to the tool → SPA code exchange.
 */
export class LaunchClient {
  constructor(private readonly t: TestApp) {}

  /** The tool login URL the dev platform's launch page embeds. */
  async loginUrl(course: string, user: string, extra: Record<string, string> = {}): Promise<string> {
    const q = new URLSearchParams({ course, user, presentation: 'iframe', ...extra });
    const res = await fetch(`${this.t.platformUrl}/launch?${q}`);
    const html = await res.text();
    const m = /<iframe[^>]*src="([^"]+)"/.exec(html);
    if (!m) throw new Error(`no iframe on the platform launch page (${res.status})`);
    return unescapeHtml(m[1]);
  }

  async login(loginUrl: string): Promise<LoginStep> {
    const res = await fetch(loginUrl, { redirect: 'manual' });
    if (res.status !== 302) throw new Error(`login initiation answered ${res.status}: ${await res.text()}`);
    const authUrl = new URL(res.headers.get('location')!);
    const cookie = res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .filter((c) => c.startsWith('lectern_login_'))
      .join('; ');
    return { authUrl, state: authUrl.searchParams.get('state')!, nonce: authUrl.searchParams.get('nonce')!, cookie };
  }

  /** The platform's authentication response: the id_token and state it would post to the tool. */
  async authorize(authUrl: URL): Promise<{ id_token: string; state: string }> {
    const res = await fetch(authUrl);
    const html = await res.text();
    if (res.status !== 200) throw new Error(`platform auth answered ${res.status}: ${html}`);
    const field = (name: string) => unescapeHtml(new RegExp(`name="${name}" value="([^"]*)"`).exec(html)![1]);
    return { id_token: field('id_token'), state: field('state') };
  }

  postLaunch(form: Record<string, string>, cookie = ''): Promise<Response> {
    return fetch(`${this.t.url}/lti`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: new URLSearchParams(form),
    });
  }

  /** The one-time code in the app page a successful launch answers with; throws when the launch failed. */
  async codeOf(res: Response): Promise<string> {
    const html = await res.text();
    const m = /<script id="lectern-launch" type="application\/json">([^<]+)<\/script>/.exec(html);
    if (res.status !== 200 || !m)
      throw new Error(
        `launch answered ${res.status}: ${(/<main>([\s\S]*?)<\/main>/.exec(html)?.[1] ?? html)
          .replace(/<[^>]+>/g, ' ')
          .replace(/\s+/g, ' ')
          .slice(0, 400)}`,
      );
    return JSON.parse(m[1]).code;
  }

  async exchange(code: string): Promise<string> {
    const res = await fetch(`${this.t.url}/api/session/exchange`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code }),
    });
    if (res.status !== 200) throw new Error(`exchange answered ${res.status}: ${await res.text()}`);
    return ((await res.json()) as { token: string }).token;
  }

  /** A whole successful launch; returns the SPA session token. */
  /** A launch as a person the dev LMS makes up from a name (its "custom user" form), in a role. */
  async launchAs(
    course: string,
    name: string,
    role: 'Instructor' | 'Learner' | 'TeachingAssistant' | 'ContentDeveloper' | 'Mentor' | 'None' = 'Learner',
  ): Promise<string> {
    const login = await this.login(await this.loginUrl(course, '', { name, role }));
    const form = await this.authorize(login.authUrl);
    const res = await this.postLaunch(form, login.cookie);
    return this.exchange(await this.codeOf(res));
  }

  async launch(course: string, user: string): Promise<string> {
    const login = await this.login(await this.loginUrl(course, user));
    const form = await this.authorize(login.authUrl);
    const res = await this.postLaunch(form, login.cookie);
    return this.exchange(await this.codeOf(res));
  }

  api(path: string, token: string | null, init: RequestInit = {}): Promise<Response> {
    return fetch(`${this.t.url}${path}`, {
      ...init,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        'content-type': 'application/json',
        ...(init.headers ?? {}),
      },
    });
  }
}
