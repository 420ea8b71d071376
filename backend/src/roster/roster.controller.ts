import { Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { Session, SessionGuard } from '../platform/auth/session.guard';
import type { SessionClaims } from '../platform/auth/session-token';
import { ForbiddenError } from '../platform/domain-error';
import { canTeach } from '../tenancy/domain/role-mapping';
import { RosterViewService } from './roster-view.service';
import { RosterService } from './roster.service';

const requireTeacher = (s: SessionClaims) => {
  if (!canTeach(s.role)) throw new ForbiddenError('TEACHER_ONLY', 'Only instructors can see and sync the roster');
};

@Controller('api/roster')
@UseGuards(SessionGuard)
export class RosterController {
  constructor(
    private readonly roster: RosterService,
    private readonly views: RosterViewService,
  ) {}

  @Get()
  view(@Session() session: SessionClaims) {
    requireTeacher(session);
    return this.views.view(session.courseId);
  }

  @Post('sync')
  @HttpCode(202)
  async sync(@Session() session: SessionClaims) {
    requireTeacher(session);
    await this.roster.syncForInstructor(session.courseId);
    return { queued: true };
  }
}
