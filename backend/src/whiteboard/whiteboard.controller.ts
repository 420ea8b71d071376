import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { Session, SessionGuard } from '../platform/auth/session.guard';
import type { SessionClaims } from '../platform/auth/session-token';
import { parseInput } from '../platform/validation';
import { WhiteboardService } from './whiteboard.service';

/** The board of a past class, read-only, for the students of its course. */
@Controller('api/whiteboard')
@UseGuards(SessionGuard)
export class WhiteboardController {
  constructor(private readonly whiteboard: WhiteboardService) {}

  @Get('sessions')
  list(@Session() session: SessionClaims) {
    return this.whiteboard.list(session);
  }

  @Get('sessions/:id')
  saved(@Session() session: SessionClaims, @Param('id') id: string) {
    return this.whiteboard.saved(session, parseInput(z.uuid(), id));
  }
}
