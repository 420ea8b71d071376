import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import crypto from 'node:crypto';
import type { Request } from 'express';
import type { AppConfig } from '../config/config';
import { NotFoundError, UnauthenticatedError } from '../platform/domain-error';
import { APP_CONFIG } from '../config/config';

/** The operator's admin console: `Authorization: Bearer <ADMIN_TOKEN>`. Without ADMIN_TOKEN configured there is no admin API. */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    if (!this.config.adminToken)
      throw new NotFoundError('ADMIN_DISABLED', 'The admin console is off (set ADMIN_TOKEN to turn it on)');
    const header = context.switchToHttp().getRequest<Request>().headers.authorization ?? '';
    const given = Buffer.from(header.replace(/^Bearer /, ''));
    const expected = Buffer.from(this.config.adminToken);
    if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) {
      throw new UnauthenticatedError('ADMIN_TOKEN_INVALID', 'The admin token is not valid');
    }
    return true;
  }
}
