import type { NextFunction, Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { AppConfig } from '../config/config';

/** How long a list of framing origins is served before it is read again (other instances' registrations). */
const FRAME_ANCESTORS_TTL_MS = 30_000;

/** A CSP source expression we are willing to emit: scheme, host, optional port, nothing else. */
const cspOrigin = (raw: string | null | undefined): string | null => {
  if (!raw) return null;
  try {
    const origin = new URL(raw).origin;
    return /^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$|^https?:\/\/\[[0-9a-f:.]+\](:\d{1,5})?$/i.test(origin) ? origin : null;
  } catch {
    return null;
  }
};

/** Where the registered platforms frame Lectern from, unchecked (TenancyService.framingUrls). */
export interface FramingUrlSource {
  framingUrls(): Promise<Array<string | null>>;
}

/**
 * The origins allowed to frame Lectern: the active registered platforms (issuer and authorization
 * endpoint origins, and the frame origins the operator added: PUT /api/admin/platforms/:id/frame-origins),
 * and the dev LMS in development. Read from Postgres (through the source), cached for a short time, read
 * again at once when a platform is registered in this process.
 */
export class FrameAncestors {
  private origins: string[] = [];
  private loadedAt = 0;
  private loading: Promise<void> | null = null;

  constructor(
    private readonly platforms: FramingUrlSource,
    private readonly config: AppConfig,
  ) {}

  /** The current list; starts a reload in the background when it is older than the TTL. */
  current(): string[] {
    if (Date.now() - this.loadedAt > FRAME_ANCESTORS_TTL_MS) void this.refresh();
    return this.origins;
  }

  refresh(): Promise<void> {
    this.loading ??= this.load().finally(() => (this.loading = null));
    return this.loading;
  }

  private async load(): Promise<void> {
    try {
      const urls = await this.platforms.framingUrls();
      const found = new Set<string>();
      for (const url of urls) {
        const o = cspOrigin(url);
        if (o) found.add(o);
      }
      if (this.config.devPlatform.enabled) {
        const dev = cspOrigin(this.config.devPlatform.url);
        if (dev) found.add(dev);
      }
      this.origins = [...found].sort();
      this.loadedAt = Date.now();
    } catch {
      // Keep serving the last list; try again on the next request after a short pause.
      this.loadedAt = Date.now() - FRAME_ANCESTORS_TTL_MS + 2000;
    }
  }
}

export const sha256Source = (text: string) =>
  `'sha256-${crypto.createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** The bodies of a page's inline scripts (not src=, not JSON data blocks). */
export function inlineScripts(html: string): string[] {
  const out: string[] = [];
  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
    const attrs = m[1];
    if (/\bsrc\s*=/i.test(attrs) || /\btype\s*=\s*["']?application\/(ld\+)?json/i.test(attrs)) continue;
    out.push(m[2]);
  }
  return out;
}

/**
 * The inline scripts of the built Angular index.html (the build adds one that switches its stylesheet
 * on), read again when the file changes (a rebuild while the server runs).
 */
export function builtPageScripts(file: string): () => string[] {
  let seen = '';
  let scripts: string[] = [];
  let checkedAt = 0;
  return () => {
    if (Date.now() - checkedAt < 1000) return scripts;
    checkedAt = Date.now();
    try {
      const st = fs.statSync(file);
      const stamp = `${st.mtimeMs}/${st.size}`;
      if (stamp !== seen) {
        scripts = inlineScripts(fs.readFileSync(file, 'utf8'));
        seen = stamp;
      }
    } catch {
      scripts = [];
      seen = '';
    }
    return scripts;
  };
}

/**
 * helmet on the app and the API: a CSP whose frame-ancestors are the registered platforms, HSTS when
 * the public URL is https, nosniff. Scripts: Lectern's own files, and by hash the inline scripts of the
 * server-rendered launch pages and of the built index.html. Styles may be inline (Angular component styles).
 * The dev LMS under /dev-platform is another site in development and gets no CSP of Lectern's.
 */
export function securityHeaders(
  config: AppConfig,
  ancestors: FrameAncestors,
  allowedScripts: () => string[],
): RequestHandler {
  const https = config.publicUrl.startsWith('https:');
  const base = {
    contentSecurityPolicy: false as const,
    // LMSs open Lectern in a new window with an opener (launch fallback, registration close message).
    crossOriginOpenerPolicy: false as const,
    // frame-ancestors decides framing; X-Frame-Options would forbid every LMS.
    xFrameOptions: false as const,
    // The LMS shows Lectern's icon (favicon.ico, the registration's logo_uri) in its own pages. The API
    // answers only with a bearer token, which a no-cors request cannot carry: same-origin would guard nothing.
    crossOriginResourcePolicy: { policy: 'cross-origin' as const },
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' as const },
    strictTransportSecurity: https ? { maxAge: 31_536_000, includeSubDomains: false } : (false as const),
  };
  // Recordings stored in S3 play from presigned URLs on the bucket's origin (hls.js fetches segments).
  const storage = config.recordings.storage;
  const recordingOrigins =
    storage.kind === 's3' ? [storage.endpoint ? new URL(storage.endpoint).origin : 'https://*.amazonaws.com'] : [];
  // A big lecture's broadcast may come from a CDN (HLS_BASE_URL): hls.js fetches it, Safari plays it directly.
  if (config.hls?.baseUrl) recordingOrigins.push(new URL(config.hls.baseUrl).origin);
  const directives = (frameAncestors: () => string) => ({
    defaultSrc: ["'self'"],
    baseUri: ["'self'"],
    objectSrc: ["'none'"],
    scriptSrc: ["'self'", () => [...new Set(allowedScripts())].map(sha256Source).join(' ')],
    scriptSrcAttr: ["'none'"],
    styleSrc: ["'self'", "'unsafe-inline'"],
    imgSrc: ["'self'", 'data:', 'blob:'],
    fontSrc: ["'self'", 'data:'],
    mediaSrc: ["'self'", 'blob:', ...recordingOrigins],
    workerSrc: ["'self'", 'blob:'],
    connectSrc: ["'self'", ...recordingOrigins],
    // The deep-linking answer is a form posted to the LMS: form targets are not restricted.
    formAction: null,
    frameAncestors: [frameAncestors],
    upgradeInsecureRequests: https ? [] : null,
  });
  const app = helmet({
    ...base,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: directives(() => ["'self'", ...ancestors.current()].join(' ')),
    },
  });
  // Dynamic Registration is opened by an LMS that is not registered yet: any web origin may frame it.
  const registration = helmet({
    ...base,
    contentSecurityPolicy: { useDefaults: false, directives: directives(() => (https ? 'https:' : 'https: http:')) },
  });
  const devLms = helmet(base);
  const devLmsLoaded = config.devPlatform.enabled;
  return (req: Request, res: Response, next: NextFunction) => {
    // The dev LMS's own pages carry no Lectern CSP, but only when it is loaded, and judged on the decoded
    // path (`/dev-platform/..%2findex.html` would otherwise be the app served without one).
    if (devLmsLoaded && isDevLmsPath(req.path)) return devLms(req, res, next);
    if (req.path === '/lti/register') return registration(req, res, next);
    return app(req, res, next);
  };
}

/** A request for the dev LMS's pages: its decoded path is exactly under /dev-platform, with no dot segments. */
function isDevLmsPath(path: string): boolean {
  let p: string;
  try {
    p = decodeURIComponent(path);
  } catch {
    return false;
  }
  if (p.split('/').some((seg) => seg === '..' || seg === '.')) return false;
  return p === '/dev-platform' || p.startsWith('/dev-platform/');
}
