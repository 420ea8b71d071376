import { All, Body, Controller, Get, Inject, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config';
import {
  coursePage,
  deepLinkDonePage,
  formPostPage,
  launchPage,
  platformErrorPage,
  registrationPage,
  toolsPage,
} from './dev-platform-pages';
import { DevLmsError, DevLmsServices } from './dev-lms-services';
import { DynamicRegistrationService } from '../lti/dynamic-registration.service';
import { DevClients, DevRegistrationError } from './dev-clients';
import { DevPlatformService } from './dev-platform.service';
import { customLaunch, DEV_COURSES, devLocale, DevRole, findLaunch } from './domain/dev-lms-fixture';
import { isEmulatedFamily } from './domain/lms-registration-emulation';

const ROLES: DevRole[] = ['Instructor', 'Learner', 'TeachingAssistant', 'ContentDeveloper', 'Mentor', 'None'];
const q = (v: unknown) => (typeof v === 'string' ? v : '');

/** The dev LMS's pages and endpoints. Development only. */
@Controller('dev-platform')
export class DevPlatformController {
  constructor(
    private readonly platform: DevPlatformService,
    private readonly lms: DevLmsServices,
    private readonly clients: DevClients,
    private readonly registration: DynamicRegistrationService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  async home(@Query('course') courseId: unknown, @Req() req: Request, @Res() res: Response) {
    // The LMS lives on its own site (the issuer's host), so that the tool in its iframe is third-party.
    const issuer = new URL(this.platform.issuer);
    if (req.headers.host !== issuer.host || !req.path.endsWith('/')) {
      return res.redirect(
        302,
        `${this.platform.issuer}/${q(courseId) ? `?course=${encodeURIComponent(q(courseId))}` : ''}`,
      );
    }
    const course = DEV_COURSES.find((c) => c.id === q(courseId)) ?? DEV_COURSES[0];
    res
      .type('html')
      .send(
        coursePage(course, this.platform.issuer, this.platform.toolLoginUrl, await this.lms.placedLinks(course.id)),
      );
  }

  @Get('jwks')
  jwks() {
    return this.platform.jwks();
  }

  /** Starts a launch: the LMS page with the tool in an iframe (or a link to a new window). */
  @Get('launch')
  async launch(@Query() query: Record<string, unknown>, @Res() res: Response) {
    const courseId = q(query.course);
    const role = q(query.role) as DevRole;
    const launch = q(query.user)
      ? findLaunch(courseId, q(query.user))
      : customLaunch(courseId, q(query.name), ROLES.includes(role) ? role : 'Learner');
    if (!launch) return res.status(400).type('html').send(platformErrorPage('Unknown course or user'));
    launch.locale = devLocale(q(query.locale));
    if (q(query.dl) === '1') {
      launch.target = { kind: 'deep-linking', data: await this.lms.startDeepLinking(launch.course.id, launch.user.id) };
    } else if (q(query.link)) {
      const linkId = Number(q(query.link));
      const link = Number.isInteger(linkId) ? await this.lms.placedLink(launch.course.id, linkId) : null;
      if (!link) return res.status(400).type('html').send(platformErrorPage('Unknown link'));
      launch.target = { kind: 'link', link };
    }
    const presentation = q(query.presentation) === 'window' ? 'window' : 'iframe';
    const client = await this.clients.get(q(query.client) || this.clients.staticClient.clientId);
    if (!client) return res.status(400).type('html').send(platformErrorPage('Unknown tool registration'));
    const login = new URL(client.loginUrl);
    login.searchParams.set('iss', this.platform.issuer);
    login.searchParams.set('login_hint', launch.user.id);
    login.searchParams.set('target_link_uri', client.redirectUris[0]);
    login.searchParams.set('lti_message_hint', await this.platform.messageHint(launch, presentation, client.clientId));
    login.searchParams.set('client_id', client.clientId);
    login.searchParams.set('lti_deployment_id', client.deploymentId);
    if (q(query.storage) === '1' && presentation === 'iframe') login.searchParams.set('lti_storage_target', '_parent');
    res.type('html').send(
      launchPage({
        course: launch.course,
        loginUrl: login.toString(),
        toolOrigin: new URL(this.config.publicUrl).origin,
        presentation,
        userName: launch.user.name,
      }),
    );
  }

  /** Where the tool's deep-linking response arrives (form POST of its signed JWT). */
  @Post('deep-link-return')
  async deepLinkReturn(@Body() body: Record<string, unknown>, @Res() res: Response) {
    try {
      const { courseId, links } = await this.lms.acceptDeepLinkingResponse(body?.JWT);
      res.status(200).type('html').send(deepLinkDonePage(courseId, links));
    } catch (e) {
      if (!(e instanceof DevLmsError)) throw e;
      res
        .status(e.status)
        .type('html')
        .send(platformErrorPage(String(e.body.error_description)));
    }
  }

  /** OIDC authorization endpoint (LTI 1.3 authentication request), answering with a form_post id_token. */
  @All('auth')
  async auth(@Req() req: Request, @Res() res: Response) {
    const p = { ...(req.query as Record<string, unknown>), ...((req.body as Record<string, unknown>) ?? {}) };
    const fail = (message: string) => res.status(400).type('html').send(platformErrorPage(message));
    if (q(p.scope) !== 'openid') return fail('scope must be openid');
    if (q(p.response_type) !== 'id_token') return fail('response_type must be id_token');
    if (q(p.response_mode) !== 'form_post') return fail('response_mode must be form_post');
    if (q(p.prompt) !== 'none') return fail('prompt must be none');
    const client = await this.clients.get(q(p.client_id));
    if (!client) return fail('unknown client_id');
    if (!client.redirectUris.includes(q(p.redirect_uri))) return fail('redirect_uri is not registered for this tool');
    if (!q(p.nonce) || !q(p.state)) return fail('nonce and state are required');
    let hint: Awaited<ReturnType<DevPlatformService['readMessageHint']>>;
    try {
      hint = await this.platform.readMessageHint(q(p.lti_message_hint));
    } catch {
      return fail('lti_message_hint is missing, expired or not ours');
    }
    if (hint.user.id !== q(p.login_hint)) return fail('login_hint does not match the launch');
    if (hint.clientId !== client.clientId) return fail('the launch was started for another tool registration');
    const course = DEV_COURSES.find((c) => c.id === hint.courseId);
    if (!course) return fail('unknown course');
    const claims = this.platform.launchClaims(
      { course, user: hint.user, role: hint.role, target: hint.target, locale: hint.locale },
      q(p.nonce),
      hint.presentation,
      client,
    );
    const idToken = await this.platform.sign(claims);
    res.type('html').send(formPostPage(q(p.redirect_uri), { id_token: idToken, state: q(p.state) }));
  }

  // ---- LTI Dynamic Registration, platform side ----

  /** `?as=canvas|moodle` answers as Canvas or Moodle would (domain/lms-registration-emulation.ts). */
  @Get('.well-known/openid-configuration')
  async openIdConfiguration(@Query('as') as: unknown, @Req() req: Request, @Res() res: Response) {
    const family = isEmulatedFamily(as) ? as : undefined;
    if (family === 'canvas' && !(await this.clients.registrationTokenValid(req.headers.authorization))) {
      return res.status(401).json({ error: 'invalid_token', error_description: 'registration token required' });
    }
    res.json(this.clients.openIdConfiguration(family));
  }

  @Post('register')
  async register(@Req() req: Request, @Res() res: Response) {
    try {
      res.status(200).json(await this.clients.register(req.headers.authorization, req.body));
    } catch (e) {
      if (!(e instanceof DevRegistrationError)) throw e;
      res
        .status(e.status)
        .json({ error: e.status === 401 ? 'invalid_token' : 'invalid_client_metadata', error_description: e.message });
    }
  }

  /** The admin page: tools registered with this LMS, and "register a tool by URL". */
  @Get('admin/tools')
  async tools(@Res() res: Response) {
    // In development the dev LMS asks the tool (in-process) for a registration invite, as an operator would in the admin console.
    res.type('html').send(toolsPage(await this.clients.all(), (await this.registration.createInvite()).url));
  }

  /** Starts a dynamic registration: opens the tool's registration URL with our configuration and a one-time token. */
  @Get('admin/tools/register')
  async startRegistration(@Query('url') url: unknown, @Query('as') family: unknown, @Res() res: Response) {
    let target: URL;
    try {
      target = new URL(q(url));
    } catch {
      return res.status(400).type('html').send(platformErrorPage('The registration URL is not a URL'));
    }
    // It becomes an iframe's src: javascript:, data: and the like would run in the LMS's own page.
    if (target.protocol !== 'https:' && target.protocol !== 'http:') {
      return res.status(400).type('html').send(platformErrorPage('The registration URL must be an http or https URL'));
    }
    const as = isEmulatedFamily(family) ? `?as=${family}` : '';
    target.searchParams.set('openid_configuration', `${this.platform.issuer}/.well-known/openid-configuration${as}`);
    target.searchParams.set('registration_token', await this.clients.startRegistration());
    res.type('html').send(registrationPage(target.toString(), new URL(this.config.publicUrl).origin));
  }
}
