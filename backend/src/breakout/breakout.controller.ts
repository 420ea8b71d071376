import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { planBodySchema } from '../contracts/breakout';
import { Session, SessionGuard } from '../platform/auth/session.guard';
import type { SessionClaims } from '../platform/auth/session-token';
import { ForbiddenError } from '../platform/domain-error';
import { parseInput } from '../platform/validation';
import { canTeach } from '../tenancy/domain/role-mapping';
import { BreakoutPlansService } from './breakout-plans.service';

const requireTeacher = (s: SessionClaims) => {
  if (!canTeach(s.role)) throw new ForbiddenError('TEACHER_ONLY', 'Only instructors can do this');
};
const id = z.uuid();

/** Plans of rooms prepared for a course (its instructors), and each class's breakout rooms after it. */
@Controller('api/breakouts')
@UseGuards(SessionGuard)
export class BreakoutController {
  constructor(private readonly plans: BreakoutPlansService) {}

  @Get('plans')
  list(@Session() s: SessionClaims) {
    requireTeacher(s);
    return this.plans.list(s);
  }

  @Post('plans')
  create(@Session() s: SessionClaims, @Body() body: unknown) {
    requireTeacher(s);
    return this.plans.create(s, parseInput(planBodySchema, body));
  }

  @Put('plans/:id')
  update(@Session() s: SessionClaims, @Param('id') planId: string, @Body() body: unknown) {
    requireTeacher(s);
    return this.plans.update(s, parseInput(id, planId), parseInput(planBodySchema, body));
  }

  @Delete('plans/:id')
  @HttpCode(204)
  async remove(@Session() s: SessionClaims, @Param('id') planId: string) {
    requireTeacher(s);
    await this.plans.remove(s, parseInput(id, planId));
  }

  /** The breakout rooms of a class of the launched classroom: names, chats, whether a board was saved. */
  @Get('sessions/:id/rooms')
  rooms(@Session() s: SessionClaims, @Param('id') sessionId: string) {
    return this.plans.rooms(s, parseInput(id, sessionId));
  }
}
