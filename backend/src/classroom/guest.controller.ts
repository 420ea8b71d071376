import { Body, Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { GuestAllowed } from '../platform/auth/guest-access';
import { Session, SessionGuard } from '../platform/auth/session.guard';
import type { SessionClaims } from '../platform/auth/session-token';
import { parseInput } from '../platform/validation';
import { ClassControlService } from './class-control.service';
import { guestLinkOptions, guestLinkToken, guestName } from './domain/guest-link';
import { GuestService } from './guest.service';

const id = z.uuid('must be an id (uuid)');
const linkBody = z.object({ token: guestLinkToken }).strict();
const enterBody = z.object({ token: guestLinkToken, name: guestName }).strict();

/** The instructor's side of guest links, and the end-of-class summary (course members; guests refused by the guard). */
@Controller('api/classroom')
@UseGuards(SessionGuard)
export class ClassControlController {
  constructor(
    private readonly guests: GuestService,
    private readonly control: ClassControlService,
  ) {}

  @Post('guest-links')
  @HttpCode(201)
  create(@Session() session: SessionClaims, @Body() body: unknown) {
    return this.guests.createLink(session, parseInput(guestLinkOptions, body));
  }

  @Get('guest-links')
  list(@Session() session: SessionClaims) {
    return this.guests.links(session);
  }

  @Post('guest-links/:id/revoke')
  @HttpCode(200)
  revoke(@Session() session: SessionClaims, @Param('id') linkId: string) {
    return this.guests.revoke(session, parseInput(id, linkId));
  }

  @Get('sessions/:id/summary')
  summary(@Session() session: SessionClaims, @Param('id') sessionId: string) {
    return this.control.summary(session, parseInput(id, sessionId));
  }
}

/**
 * The guest's side: open a link and enter with a name (no session yet: rate limited per client address,
 * the link's signature, expiry and row checked), then refresh the guest session while it lasts.
 */
@Controller('api/guest')
export class GuestController {
  constructor(private readonly guests: GuestService) {}

  /** POST, not GET: the link's token stays out of URLs and logs. */
  @Post('link')
  @HttpCode(200)
  info(@Body() body: unknown) {
    return this.guests.info(parseInput(linkBody, body).token);
  }

  @Post('enter')
  @HttpCode(200)
  enter(@Body() body: unknown) {
    const { token, name } = parseInput(enterBody, body);
    return this.guests.enter(token, name);
  }

  @Post('refresh')
  @HttpCode(200)
  @UseGuards(SessionGuard)
  @GuestAllowed()
  refresh(@Session() session: SessionClaims) {
    return this.guests.refresh(session);
  }
}
