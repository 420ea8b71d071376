import { Inject, Injectable, Logger } from '@nestjs/common';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import Redis from 'ioredis';
import type { AppConfig } from '../config/config';
import { DomainError, LaunchRejectedError, NotFoundError } from '../platform/domain-error';
import { APP_CONFIG } from '../config/config';
import { REDIS } from '../platform/redis';
import { TenancyService } from '../tenancy/tenancy.service';
import { checkLaunch, decodeJwtUnverified } from './domain/launch-checks';
import { RegistrationError } from './domain/dynamic-registration';
import { canvasConfiguration } from './domain/tool-configuration';
import { DynamicRegistrationService } from './dynamic-registration.service';
import {
  errorPage,
  newWindowPage,
  registrationDonePage,
  registrationFailedPage,
  storageCheckPage,
  storagePutPage,
} from './launch-pages';
import { CheckedLaunch, LaunchService } from './launch.service';
import { LoginRequestRepository, type StoredLoginRequest } from './infra/login-request.repository';
import { LtiService } from './lti.service';

type LaunchRequest = Request & { lecternLaunch?: CheckedLaunch };

/** ltijs's own validation messages shown as codes; anything else (library or I/O errors) stays in the log. */
const LTIJS_CODES = new Set([
  'INVALID_JWT_RECEIVED',
  'UNREGISTERED_PLATFORM',
  'PLATFORM_NOT_ACTIVATED',
  'KID_NOT_FOUND',
  'KEYSET_NOT_FOUND',
  'KEY_NOT_FOUND',
  'ALG_NOT_RS256',
  'TOKEN_TOO_OLD',
  'NONCE_ALREADY_RECEIVED',
  'AZP_DOES_NOT_MATCH_CLIENTID',
  'NO_MESSAGE_TYPE_CLAIM',
  'NO_TARGET_LINK_URI_CLAIM',
  'NO_RESOURCE_LINK_ID_CLAIM',
  'NO_LTI_VERSION_CLAIM',
  'WRONG_LTI_VERSION_CLAIM',
  'NO_DEPLOYMENT_ID_CLAIM',
  'NO_SUB_CLAIM',
  'NO_ROLES_CLAIM',
]);
export function ltijsErrorCode(message: string): string {
  if (LTIJS_CODES.has(message)) return message;
  if (message === 'invalid signature') return 'SIGNATURE_INVALID';
  if (message === 'jwt expired') return 'TOKEN_EXPIRED';
  return 'ID_TOKEN_INVALID';
}

const PENDING_TTL_SECONDS = 120;
const pendingKey = (ticket: string) => `lti:pending-launch:${ticket}`;
const loginCookie = (state: string) => `lectern_login_${state.slice(0, 24)}`;
const storageKey = (state: string) => `lectern_state_${state}`;

const first = (v: unknown): string | undefined =>
  Array.isArray(v) ? first(v[0]) : typeof v === 'string' ? v : undefined;

function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return undefined;
}

/**
 * ltijs runs on Express 4 inside Nest's Express 5. Express 5 computes req.query with a prototype
 * getter, which Express 4's init middleware drops when it swaps the request prototype; pinning the
 * parsed query as an own property keeps it visible to ltijs. Likewise ltijs must not read the body twice.
 */
/** The routes ltijs serves under /lti (ltijs-provider.ts), exactly as it matches them. */
const LTIJS_PATHS = new Set(['/', '/login', '/keys', '/register']);

const pinQuery: RequestHandler = (req, _res, next) => {
  Object.defineProperty(req, 'query', {
    value: { ...req.query },
    writable: true,
    enumerable: true,
    configurable: true,
  });
  // The body was parsed above; Express 4's body-parser (in ltijs) skips a request flagged this way.
  (req as { _body?: boolean })._body = true;
  next();
};

/**
 * The /lti endpoints: ltijs (login initiation, launch validation, JWKS) wrapped by Lectern's own
 * login record and launch checks.
 *
 * Binding a launch to the browser that started it, without relying on a cookie inside an iframe:
 * 1. our own cookie set at login (works first-party, and in iframes where third-party cookies pass);
 * 2. else, where the platform offers LTI client-side storage (lti_storage_target), the state stored
 *    in the platform's frame at login is read back at launch before the launch continues;
 * 3. else, a page offering to open Lectern in a new window, which starts the login again first-party.
 */
@Injectable()
export class LtiRoutes {
  private readonly logger = new Logger('LtiRoutes');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly lti: LtiService,
    private readonly logins: LoginRequestRepository,
    private readonly launches: LaunchService,
    private readonly tenancy: TenancyService,
    private readonly registration: DynamicRegistrationService,
  ) {}

  router(): express.Router {
    const router = express.Router();
    const provider = this.lti.provider;
    provider.onConnect((token, req, res) => this.completeLaunch(token, req as LaunchRequest, res));
    provider.onDeepLinking((token, req, res) => this.completeLaunch(token, req as LaunchRequest, res));
    provider.onInvalidToken((_req, res) => {
      const message = (res.locals as { err?: { details?: { message?: string } } }).err?.details?.message ?? '';
      const code = ltijsErrorCode(message);
      if (code === 'ID_TOKEN_INVALID') this.logger.warn(`launch refused by ltijs: ${message}`);
      return this.sendError(res, new LaunchRejectedError(code, `The launch could not be verified (${code})`, 401));
    });
    provider.onUnregisteredPlatform((_req, res) =>
      this.sendError(
        res,
        new LaunchRejectedError('PLATFORM_UNKNOWN', 'This platform is not registered with Lectern', 400),
      ),
    );
    provider.onInactivePlatform((_req, res) =>
      this.sendError(
        res,
        new LaunchRejectedError('PLATFORM_DISABLED', 'This platform has been disabled by an administrator', 403),
      ),
    );

    // The Canvas configuration URL (Developer Keys → + LTI Key → Method "Enter URL"), built from PUBLIC_URL.
    // Canvas reads it server-side and requires application/json (canvas-lms app/models/lti/tool_configuration.rb).
    router.get('/canvas.json', (_req, res) => {
      res.setHeader('Cache-Control', 'no-cache');
      res.json(canvasConfiguration(this.config.publicUrl));
    });
    // ltijs answers only its exact routes; anything else under /lti (a trailing slash, another case, a
    // doubled slash) it left hanging with no answer, holding a connection open each time: 404 here.
    router.use((req, res, next) =>
      LTIJS_PATHS.has(req.path) ? next() : this.sendError(res, new NotFoundError('NOT_FOUND', 'No such LTI endpoint')),
    );
    router.use(express.urlencoded({ extended: false, limit: '64kb' }));
    router.all('/login', this.recordLogin);
    router.get('/register', this.dynamicRegistration);
    router.post('/', this.guardLaunch);
    router.use(pinQuery, provider.app);
    return router;
  }

  private sendError(res: Response, err: unknown): void {
    if (res.headersSent) return;
    if (err instanceof DomainError) {
      res.status(err.status).type('html').send(errorPage(err.code, err.message));
      return;
    }
    this.logger.error(err instanceof Error ? err.stack : String(err));
    res.status(500).type('html').send(errorPage('INTERNAL', 'Something went wrong on our side'));
  }

  /**
   * Answers the launch POST with the Angular app itself, carrying the one-time code in the page (never in
   * a URL: a link with a code could push someone else's session into a browser). The app trades the
   * code for its session token and moves to /lobby.
   */
  private sendSpaWithCode(res: Response, code: string): void {
    const index = path.resolve(this.config.frontendDist, 'index.html');
    if (!fs.existsSync(index))
      throw new DomainError('FRONTEND_MISSING', 'The Lectern app is not built on this server', 503);
    const launch = `<script id="lectern-launch" type="application/json">${JSON.stringify({ code })}</script>`;
    const html = fs.readFileSync(index, 'utf8').replace('</head>', `${launch}</head>`);
    // ltijs's helmet isolates its own responses; this one is the app, which must behave like every other page.
    for (const h of ['Cross-Origin-Embedder-Policy', 'Cross-Origin-Opener-Policy', 'Cross-Origin-Resource-Policy'])
      res.removeHeader(h);
    res.status(200).setHeader('Cache-Control', 'no-store');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.type('html').send(html);
  }

  /** Lets ltijs answer the login initiation, and records the state and nonce it sends the platform. */
  private recordLogin: RequestHandler = (req, res, next) => {
    const params = { ...(req.query as Record<string, unknown>), ...((req.body as Record<string, unknown>) ?? {}) };
    const original = res.redirect.bind(res) as (url: string) => void;
    (res as { redirect: unknown }).redirect = (...args: unknown[]) => {
      const url = String(args.length > 1 ? args[1] : args[0]);
      this.onLoginRedirect(url, params, res, original).catch((e) => this.sendError(res, e));
    };
    next();
  };

  private async onLoginRedirect(
    url: string,
    params: Record<string, unknown>,
    res: Response,
    redirect: (url: string) => void,
  ) {
    const auth = new URL(url);
    const state = auth.searchParams.get('state');
    const nonce = auth.searchParams.get('nonce');
    const clientId = auth.searchParams.get('client_id');
    if (!state || !nonce || !clientId) return redirect(url);
    const storageTarget = first(params.lti_storage_target)?.slice(0, 64) ?? null;
    await this.logins.record({
      state,
      nonce,
      issuer: String(first(params.iss)),
      clientId,
      loginHint: String(first(params.login_hint)).slice(0, 2000),
      ltiMessageHint: first(params.lti_message_hint)?.slice(0, 4000) ?? null,
      targetLinkUri: String(first(params.target_link_uri)).slice(0, 2000),
      deploymentId: first(params.lti_deployment_id)?.slice(0, 255) ?? null,
      storageTarget,
      platformOrigin: auth.origin,
    });
    res.cookie(loginCookie(state), state, {
      httpOnly: true,
      secure: true,
      sameSite: 'none',
      path: '/lti',
      maxAge: 600_000,
    });
    if (!storageTarget) return redirect(url);
    res
      .status(200)
      .type('html')
      .send(
        storagePutPage({
          target: storageTarget,
          platformOrigin: auth.origin,
          key: storageKey(state),
          value: nonce,
          authUrl: url,
        }),
      );
  }

  /** LTI Dynamic Registration initiation: GET /lti/register?openid_configuration=…&registration_token=… */
  private dynamicRegistration = async (req: Request, res: Response) => {
    const cfg = first(req.query.openid_configuration);
    if (!cfg) {
      res
        .status(400)
        .type('html')
        .send(
          registrationFailedPage(["openid_configuration is missing: paste this URL into your LMS's tool registration"]),
        );
      return;
    }
    try {
      const p = await this.registration.register(first(req.query.invite), cfg, first(req.query.registration_token));
      res
        .status(200)
        .type('html')
        .send(registrationDonePage({ name: p.name, clientId: p.clientId, deployments: p.deployments }));
    } catch (e) {
      if (e instanceof RegistrationError) {
        res.status(400).type('html').send(registrationFailedPage(e.problems));
        return;
      }
      this.sendError(res, e);
    }
  };

  /** Lectern's checks before ltijs verifies the signature; see checkLaunch for the list. */
  private guardLaunch = async (req: Request, res: Response, next: NextFunction) => {
    try {
      const body = (req.body ?? {}) as Record<string, unknown>;
      let idToken = first(body.id_token);
      let state = first(body.state);
      let boundBy: 'cookie' | 'storage' | null = null;
      const ticket = first(body.lectern_ticket);
      if (ticket && !idToken) {
        // The ticket comes from the storage check page, which posts it same-origin. A ticket posted from
        // another site is someone else's launch being pushed into this browser (login CSRF).
        if (!this.sameOrigin(req)) {
          throw new LaunchRejectedError(
            'LAUNCH_TICKET_CROSS_SITE',
            "This launch continuation did not come from Lectern's own page",
            403,
          );
        }
        const pending = await this.redis.getdel(pendingKey(ticket.slice(0, 128)));
        if (!pending)
          throw new LaunchRejectedError('LAUNCH_TICKET_INVALID', 'This launch expired; launch again from your course');
        ({ idToken, state } = JSON.parse(pending) as { idToken: string; state: string });
        boundBy = 'storage';
      }
      if (!idToken) throw new LaunchRejectedError('ID_TOKEN_MISSING', 'The launch carries no id_token', 400);
      if (!state) throw new LaunchRejectedError('STATE_MISSING', 'The launch carries no state', 401);
      const decoded = decodeJwtUnverified(idToken);
      if (!decoded) throw new LaunchRejectedError('ID_TOKEN_MALFORMED', 'The id_token is not a valid JWT', 400);
      const login = await this.logins.find(state.slice(0, 256));
      const platform = login ? await this.tenancy.findPlatform(login.issuer, login.clientId) : null;
      checkLaunch({
        header: decoded.header,
        claims: decoded.claims,
        login,
        deployments: platform?.deployments ?? [],
        acceptNewDeployments: platform?.acceptNewDeployments ?? false,
        toolUrl: this.config.publicUrl,
        now: new Date(),
      });
      const record = login!;
      if (!boundBy && readCookie(req, loginCookie(record.state)) === record.state) boundBy = 'cookie';
      if (!boundBy) return await this.bindWithoutCookie(res, idToken, record);
      if (!(await this.logins.consume(record.state))) {
        throw new LaunchRejectedError('STATE_REUSED', 'This launch was already used; launch again from your course');
      }
      res.clearCookie(loginCookie(record.state), { httpOnly: true, secure: true, sameSite: 'none', path: '/lti' });
      // ltijs verifies exactly the token and state checked here, whatever else the body held.
      req.body = { id_token: idToken, state: record.state };
      (req as LaunchRequest).lecternLaunch = { idToken, claims: decoded.claims, login: record };
      next();
    } catch (e) {
      this.sendError(res, e);
    }
  };

  private async bindWithoutCookie(res: Response, idToken: string, login: StoredLoginRequest) {
    const newWindowUrl = this.relaunchUrl(login);
    if (!login.storageTarget) {
      res.status(200).type('html').send(newWindowPage(newWindowUrl));
      return;
    }
    const ticket = crypto.randomBytes(24).toString('base64url');
    await this.redis.set(
      pendingKey(ticket),
      JSON.stringify({ idToken, state: login.state }),
      'EX',
      PENDING_TTL_SECONDS,
    );
    res
      .status(200)
      .type('html')
      .send(
        storageCheckPage({
          target: login.storageTarget,
          platformOrigin: login.platformOrigin,
          key: storageKey(login.state),
          expected: login.nonce,
          ticket,
          action: `${this.config.publicUrl}/lti`,
          newWindowUrl,
        }),
      );
  }

  private sameOrigin(req: Request): boolean {
    const tool = new URL(this.config.publicUrl).origin;
    const origin = req.headers.origin;
    if (typeof origin === 'string' && origin !== 'null') return origin === tool;
    return req.headers['sec-fetch-site'] === 'same-origin';
  }

  /** The same login initiation, to be opened first-party in a new window. */
  private relaunchUrl(login: {
    issuer: string;
    clientId: string;
    loginHint: string;
    ltiMessageHint: string | null;
    targetLinkUri: string;
    deploymentId: string | null;
  }) {
    const u = new URL(`${this.config.publicUrl}/lti/login`);
    u.searchParams.set('iss', login.issuer);
    u.searchParams.set('client_id', login.clientId);
    u.searchParams.set('login_hint', login.loginHint);
    u.searchParams.set('target_link_uri', login.targetLinkUri);
    if (login.ltiMessageHint) u.searchParams.set('lti_message_hint', login.ltiMessageHint);
    if (login.deploymentId) u.searchParams.set('lti_deployment_id', login.deploymentId);
    return u.toString();
  }

  private async completeLaunch(token: Parameters<LaunchService['complete']>[1], req: LaunchRequest, res: Response) {
    try {
      if (!req.lecternLaunch)
        throw new LaunchRejectedError('LAUNCH_NOT_CHECKED', "This launch did not pass Lectern's checks");
      const { code } = await this.launches.complete(req.lecternLaunch, token);
      this.sendSpaWithCode(res, code);
    } catch (e) {
      this.sendError(res, e);
    }
  }
}
