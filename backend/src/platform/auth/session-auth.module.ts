import { Global, Module } from '@nestjs/common';
import { TenancyModule } from '../../tenancy/tenancy.module';
import { SessionRevocation } from './session-revocation';
import { SessionRevocationGateway } from './session-revocation.gateway';

/** Sessions that end: the revocation cache (used by the session guard everywhere) and the socket sweep. */
@Global()
@Module({ imports: [TenancyModule], providers: [SessionRevocation, SessionRevocationGateway], exports: [SessionRevocation] })
export class SessionAuthModule {}
