import { Body, Controller, HttpCode, Inject, Post, UseGuards } from '@nestjs/common';
import { Session, SESSION_TOKENS, SessionGuard } from '../platform/auth/session.guard';
import { SessionRevocation } from '../platform/auth/session-revocation';
import { SessionClaims, SessionTokens } from '../platform/auth/session-token';
import { z } from 'zod';
import { parseInput } from '../platform/validation';
import { TenancyService } from '../tenancy/tenancy.service';
import { LaunchService } from './launch.service';

const exchangeBody = z
  .object({
    code: z
      .string()
      .min(16)
      .max(128)
      .regex(/^[A-Za-z0-9_-]+$/),
  })
  .strict();

@Controller('api/session')
export class SessionController {
  constructor(
    private readonly launches: LaunchService,
    private readonly tenancy: TenancyService,
    private readonly revocation: SessionRevocation,
    @Inject(SESSION_TOKENS) private readonly tokens: SessionTokens,
  ) {}

  /**
   * A session still in good standing gets a fresh token (a class can last longer than one token): its
   * platform still enabled, the person still enrolled and not removed from the class, all read afresh.
   * The new token keeps the launch time and never outlives the session's absolute lifetime.
   */
  @Post('refresh')
  @HttpCode(200)
  @UseGuards(SessionGuard)
  async refresh(@Session() session: SessionClaims) {
    // The role is the enrolment's now: someone the LMS demoted loses teacher powers at the next refresh.
    const { role } = await this.tenancy.assertSessionStanding(session);
    const { token, expiresAt } = await this.tokens.issue({ ...session, role });
    return { token, expiresAt: expiresAt.toISOString(), landing: session.deepLinkingId ? 'deep-link' : 'lobby' };
  }

  /** The SPA trades the one-time code from the launch redirect for its session token. */
  @Post('exchange')
  @HttpCode(200)
  async exchange(@Body() body: unknown) {
    const session = await this.launches.exchange(parseInput(exchangeBody, body).code);
    // The platform may have been disabled between the launch and this exchange.
    const claims = await this.tokens.verify(session.token);
    this.revocation.assertSessionUsable(claims);
    await this.tenancy.assertSessionStanding(claims);
    return session;
  }
}
