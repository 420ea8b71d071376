import { Body, Controller, HttpCode, Inject, Post, UseGuards } from '@nestjs/common';
import { Session, SESSION_TOKENS, SessionGuard } from '../platform/auth/session.guard';
import { SessionClaims, SessionTokens } from '../platform/auth/session-token';
import { z } from 'zod';
import { parseInput } from '../platform/validation';
import { LaunchService } from './launch.service';

const exchangeBody = z.object({ code: z.string().min(16).max(128).regex(/^[A-Za-z0-9_-]+$/) }).strict();

@Controller('api/session')
export class SessionController {
  constructor(
    private readonly launches: LaunchService,
    @Inject(SESSION_TOKENS) private readonly tokens: SessionTokens,
  ) {}

  /** A still-valid session gets a fresh token (a class can last longer than one token). */
  @Post('refresh')
  @HttpCode(200)
  @UseGuards(SessionGuard)
  async refresh(@Session() session: SessionClaims) {
    const { token, expiresAt } = await this.tokens.issue(session);
    return { token, expiresAt: expiresAt.toISOString(), landing: session.deepLinkingId ? 'deep-link' : 'lobby' };
  }

  /** The SPA trades the one-time code from the launch redirect for its session token. */
  @Post('exchange')
  @HttpCode(200)
  exchange(@Body() body: unknown) {
    return this.launches.exchange(parseInput(exchangeBody, body).code);
  }
}
