import { Body, Controller, Get, HttpCode, Param, Post, Put, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { Session, SessionGuard } from '../platform/auth/session.guard';
import type { SessionClaims } from '../platform/auth/session-token';
import { parseInput } from '../platform/validation';
import { ClassroomService } from './classroom.service';

const sessionId = z.uuid('must be a session id (uuid)');
const gradingBody = z.object({ attendancePoints: z.number().positive().max(10000).nullable() }).strict();

@Controller('api')
@UseGuards(SessionGuard)
export class ClassroomController {
  constructor(private readonly classroom: ClassroomService) {}

  @Get('lobby')
  lobby(@Session() session: SessionClaims) {
    return this.classroom.lobby(session);
  }

  @Post('classroom/sessions')
  @HttpCode(200)
  start(@Session() session: SessionClaims) {
    return this.classroom.startClass(session);
  }

  @Get('classroom/sessions/:id')
  get(@Session() session: SessionClaims, @Param('id') id: string) {
    return this.classroom.get(session, parseInput(sessionId, id));
  }

  @Put('classroom/grading')
  grading(@Session() session: SessionClaims, @Body() body: unknown) {
    return this.classroom.setGrading(session, parseInput(gradingBody, body).attendancePoints);
  }

  @Post('classroom/sessions/:id/end')
  @HttpCode(200)
  end(@Session() session: SessionClaims, @Param('id') id: string) {
    return this.classroom.endClass(session, parseInput(sessionId, id));
  }
}
