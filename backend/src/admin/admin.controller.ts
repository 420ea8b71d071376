import { Body, Controller, Get, HttpCode, Param, Post, Put, UseGuards } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import type { AdminPlatformView } from '../contracts/api';
import { DynamicRegistrationService } from '../lti/dynamic-registration.service';
import { KeyRotationService } from '../lti/key-rotation.service';
import { LtiService } from '../lti/lti.service';
import { SessionRevocation } from '../platform/auth/session-revocation';
import { DomainEvents } from '../platform/domain-events';
import { NotFoundError } from '../platform/domain-error';
import { parseInput } from '../platform/validation';
import { AdminGuard } from './admin.guard';

const platformId = z.uuid();
const webOrigin = z
  .string()
  .max(300)
  .refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === 'https:' || u.protocol === 'http:') && u.origin === v && /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/.test(v);
    } catch {
      return false;
    }
  }, 'must be an origin: https://host[:port], no path, no trailing slash');
const frameOriginsInput = z.object({ origins: z.array(webOrigin).max(50) }).strict();

/** The tool operator's console: registered platforms (disable, enable, register by hand) and key rotation. */
@Controller('api/admin')
@UseGuards(AdminGuard)
export class AdminController {
  constructor(
    private readonly db: DataSource,
    private readonly lti: LtiService,
    private readonly keys: KeyRotationService,
    private readonly registration: DynamicRegistrationService,
    private readonly events: DomainEvents,
    private readonly revocation: SessionRevocation,
  ) {}

  /** A one-time registration URL to paste into one LMS (LTI Dynamic Registration). */
  @Post('registration-invites')
  @HttpCode(201)
  invite() {
    return this.registration.createInvite();
  }

  @Get('platforms')
  async platforms(): Promise<AdminPlatformView[]> {
    const rows = await this.db.query(
      `SELECT p.id, p.issuer, p.client_id, p.name, p.active, p.source, p.accept_new_deployments, p.created_at,
              coalesce((SELECT array_agg(deployment_id ORDER BY deployment_id) FROM lti_deployment d WHERE d.platform_id = p.id), '{}') AS deployments,
              (SELECT count(*)::int FROM course c WHERE c.platform_id = p.id) AS courses
         FROM lti_platform p ORDER BY p.created_at`,
    );
    return rows.map((r: Record<string, unknown>) => ({
      id: r.id as string,
      issuer: r.issuer as string,
      clientId: r.client_id as string,
      name: r.name as string,
      active: r.active as boolean,
      source: r.source as 'manual' | 'dynamic',
      acceptNewDeployments: r.accept_new_deployments as boolean,
      deployments: r.deployments as string[],
      courses: r.courses as number,
      createdAt: new Date(r.created_at as Date).toISOString(),
    }));
  }

  @Post('platforms')
  @HttpCode(201)
  register(@Body() body: unknown) {
    return this.lti.register(body);
  }

  @Post('platforms/:id/disable')
  @HttpCode(200)
  disable(@Param('id') id: string) {
    return this.setActive(parseInput(platformId, id), false);
  }

  @Post('platforms/:id/enable')
  @HttpCode(200)
  enable(@Param('id') id: string) {
    return this.setActive(parseInput(platformId, id), true);
  }

  /**
   * Where this platform shows Lectern in a frame, besides its issuer and authorization endpoint (Canvas:
   * the school's own domain). Replaces the list; these origins join the CSP's frame-ancestors.
   */
  @Put('platforms/:id/frame-origins')
  @HttpCode(200)
  async setFrameOrigins(@Param('id') id: string, @Body() body: unknown) {
    const pid = parseInput(platformId, id);
    const origins = [...new Set(parseInput(frameOriginsInput, body ?? {}).origins)].sort();
    const platform = await this.db.transaction(async (tx) => {
      const [p] = await tx.query(`SELECT issuer, client_id FROM lti_platform WHERE id = $1 FOR UPDATE`, [pid]);
      if (!p) throw new NotFoundError('PLATFORM_NOT_FOUND', 'No such platform');
      await tx.query(`DELETE FROM lti_platform_frame_origin WHERE platform_id = $1`, [pid]);
      await tx.query(`INSERT INTO lti_platform_frame_origin (platform_id, origin) SELECT $1, unnest($2::text[])`, [pid, origins]);
      return p as { issuer: string; client_id: string };
    });
    this.events.emit('platform.registered', { issuer: platform.issuer, clientId: platform.client_id });
    return { id: pid, frameOrigins: origins };
  }

  @Post('keys/rotate')
  @HttpCode(200)
  async rotate(@Body() body: unknown) {
    const { platformId: only } = parseInput(z.object({ platformId: z.uuid().optional() }).strict(), body ?? {});
    return { rotated: await this.keys.rotate(only) };
  }

  private async setActive(id: string, active: boolean) {
    const [row] = await this.db.query(`UPDATE lti_platform SET active = $2 WHERE id = $1 RETURNING issuer, client_id`, [id, active]);
    if (!row[0]) throw new NotFoundError('PLATFORM_NOT_FOUND', 'No such platform');
    // ltijs refuses logins from an inactive platform at its login route too.
    const p = await this.lti.provider.getPlatform(row[0].issuer, row[0].client_id);
    if (p) await p.platformActive(active);
    // A disabled platform's sessions end now: API calls refused, open sockets closed on every instance.
    await this.revocation.platformActiveChanged(id, active);
    return { id, active };
  }
}
