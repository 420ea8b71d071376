import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { z } from 'zod';
import { parseInput } from '../platform/validation';
import { LaunchService } from './launch.service';

const exchangeBody = z.object({ code: z.string().min(16).max(128).regex(/^[A-Za-z0-9_-]+$/) }).strict();

@Controller('api/session')
export class SessionController {
  constructor(private readonly launches: LaunchService) {}

  /** The SPA trades the one-time code from the launch redirect for its session token. */
  @Post('exchange')
  @HttpCode(200)
  exchange(@Body() body: unknown) {
    return this.launches.exchange(parseInput(exchangeBody, body).code);
  }
}
