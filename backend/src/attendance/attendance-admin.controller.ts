import { Body, Controller, Get, Param, Put, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { AdminGuard } from '../admin/admin.guard';
import { platformAttendanceBodySchema } from '../contracts/attendance';
import { NotFoundError } from '../platform/domain-error';
import { parseInput } from '../platform/validation';
import { TenancyService } from '../tenancy/tenancy.service';
import { AttendanceService } from './attendance.service';

/** The operator's console (ADMIN_TOKEN): each platform's default attendance thresholds and time zone. */
@Controller('api/admin/platforms')
@UseGuards(AdminGuard)
export class AttendanceAdminController {
  constructor(
    private readonly attendance: AttendanceService,
    private readonly tenancy: TenancyService,
  ) {}

  private async platform(id: string): Promise<string> {
    const platformId = parseInput(z.uuid(), id);
    const known = (await this.tenancy.listPlatforms()).some((p) => p.id === platformId);
    if (!known) throw new NotFoundError('PLATFORM_NOT_FOUND', 'No such platform');
    return platformId;
  }

  @Get(':id/attendance')
  async get(@Param('id') id: string) {
    return this.attendance.platformDefaults(await this.platform(id));
  }

  @Put(':id/attendance')
  async save(@Param('id') id: string, @Body() body: unknown) {
    const platformId = await this.platform(id);
    return this.attendance.savePlatformDefaults(platformId, parseInput(platformAttendanceBodySchema, body));
  }
}
