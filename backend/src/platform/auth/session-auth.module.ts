import { Global, Module } from '@nestjs/common';
import { TenancyModule } from '../../tenancy/tenancy.module';
import { SessionRenewalGateway } from './session-renewal.gateway';
import { SessionRevocation } from './session-revocation';
import { SessionRevocationGateway } from './session-revocation.gateway';
import { SocketAuthenticator } from './socket-auth';

/**
 * Sessions that end: the revocation cache (used by the session guard everywhere), the socket sweep, the one
 * socket authenticator, and a socket's renewal with its page's refreshed token.
 */
@Global()
@Module({
  imports: [TenancyModule],
  providers: [SessionRevocation, SessionRevocationGateway, SessionRenewalGateway, SocketAuthenticator],
  exports: [SessionRevocation, SocketAuthenticator],
})
export class SessionAuthModule {}
