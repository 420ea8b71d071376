import { Body, Controller, Get, Param, Put, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { AdminGuard } from '../admin/admin.guard';
import { classroomRecordingBody, platformRecordingBody } from '../contracts/recording';
import { Session, SessionGuard } from '../platform/auth/session.guard';
import type { SessionClaims } from '../platform/auth/session-token';
import { parseInput } from '../platform/validation';
import { RecordingService } from './recording.service';

const platformId = z.uuid('must be a platform id (uuid)');

/** The classroom's recording switch, for the people of the launched classroom (changing it: instructors). */
@Controller('api/recording')
@UseGuards(SessionGuard)
export class RecordingController {
  constructor(private readonly recording: RecordingService) {}

  @Get('settings')
  settings(@Session() session: SessionClaims) {
    return this.recording.classroomSettings(session);
  }

  @Put('settings')
  setSettings(@Session() session: SessionClaims, @Body() body: unknown) {
    return this.recording.setClassroomSwitch(session, parseInput(classroomRecordingBody, body).enabled);
  }
}

/** The operator's switch per platform: whether its classes record, and how long recordings are kept. */
@Controller('api/admin/platforms')
@UseGuards(AdminGuard)
export class RecordingAdminController {
  constructor(private readonly recording: RecordingService) {}

  @Get(':id/recording')
  get(@Param('id') id: string) {
    return this.recording.platformSettings(parseInput(platformId, id));
  }

  @Put(':id/recording')
  set(@Param('id') id: string, @Body() body: unknown) {
    return this.recording.setPlatformSwitch(parseInput(platformId, id), parseInput(platformRecordingBody, body));
  }
}
