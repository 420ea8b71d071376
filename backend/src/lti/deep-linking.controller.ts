import { Body, Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { Session, SessionGuard } from '../platform/auth/session.guard';
import type { SessionClaims } from '../platform/auth/session-token';
import { parseInput } from '../platform/validation';
import { choiceSchema, DeepLinkingService } from './deep-linking.service';

@Controller('api/deep-linking')
@UseGuards(SessionGuard)
export class DeepLinkingController {
  constructor(private readonly deepLinking: DeepLinkingService) {}

  @Get()
  view(@Session() session: SessionClaims) {
    return this.deepLinking.view(session);
  }

  @Post('respond')
  @HttpCode(200)
  respond(@Session() session: SessionClaims, @Body() body: unknown) {
    return this.deepLinking.respond(session, parseInput(choiceSchema, body));
  }
}
