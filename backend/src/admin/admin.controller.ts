import { Body, Controller, Get, HttpCode, Param, Post, Put, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import type { AdminPlatformView } from '../contracts/api';
import { parseInput } from '../platform/validation';
import { AdminGuard } from './admin.guard';
import { AdminService } from './admin.service';

const platformId = z.uuid();
const webOrigin = z
  .string()
  .max(300)
  .refine((v) => {
    try {
      const u = new URL(v);
      return (
        (u.protocol === 'https:' || u.protocol === 'http:') &&
        u.origin === v &&
        /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/.test(v)
      );
    } catch {
      return false;
    }
  }, 'must be an origin: https://host[:port], no path, no trailing slash');
const frameOriginsInput = z.object({ origins: z.array(webOrigin).max(50) }).strict();
const rotateInput = z.object({ platformId: z.uuid().optional() }).strict();

/** The tool operator's console: validates what it is given and calls AdminService. */
@Controller('api/admin')
@UseGuards(AdminGuard)
export class AdminController {
  constructor(private readonly admin: AdminService) {}

  /** A one-time registration URL to paste into one LMS (LTI Dynamic Registration). */
  @Post('registration-invites')
  @HttpCode(201)
  invite() {
    return this.admin.createInvite();
  }

  @Get('platforms')
  platforms(): Promise<AdminPlatformView[]> {
    return this.admin.platforms();
  }

  @Post('platforms')
  @HttpCode(201)
  register(@Body() body: unknown) {
    return this.admin.register(body);
  }

  @Post('platforms/:id/disable')
  @HttpCode(200)
  disable(@Param('id') id: string) {
    return this.admin.setActive(parseInput(platformId, id), false);
  }

  @Post('platforms/:id/enable')
  @HttpCode(200)
  enable(@Param('id') id: string) {
    return this.admin.setActive(parseInput(platformId, id), true);
  }

  /**
   * Where this platform shows Lectern in a frame, besides its issuer and authorization endpoint (Canvas:
   * the school's own domain). Replaces the list; these origins join the CSP's frame-ancestors.
   */
  @Put('platforms/:id/frame-origins')
  @HttpCode(200)
  setFrameOrigins(@Param('id') id: string, @Body() body: unknown) {
    const pid = parseInput(platformId, id);
    const origins = [...new Set(parseInput(frameOriginsInput, body ?? {}).origins)].sort();
    return this.admin.setFrameOrigins(pid, origins);
  }

  @Post('keys/rotate')
  @HttpCode(200)
  rotate(@Body() body: unknown) {
    const { platformId: only } = parseInput(rotateInput, body ?? {});
    return this.admin.rotateKeys(only);
  }
}
