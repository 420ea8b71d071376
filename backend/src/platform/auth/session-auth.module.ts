import { Global, Module } from '@nestjs/common';
import { TenancyModule } from '../../tenancy/tenancy.module';
import { SessionRevocation } from './session-revocation';
import { SessionRevocationGateway } from './session-revocation.gateway';
import { SocketAuthenticator } from './socket-auth';

/** Sessions that end: the revocation cache (used by the session guard everywhere), the socket sweep, and the one socket authenticator. */
@Global()
@Module({
  imports: [TenancyModule],
  providers: [SessionRevocation, SessionRevocationGateway, SocketAuthenticator],
  exports: [SessionRevocation, SocketAuthenticator],
})
export class SessionAuthModule {}
