import { Controller, Get, UseGuards } from '@nestjs/common';
import type { IceServer } from '../contracts/media';
import type { SessionClaims } from '../platform/auth/session-token';
import { GuestAllowed } from '../platform/auth/guest-access';
import { Session, SessionGuard } from '../platform/auth/session.guard';
import { MediaService } from './media.service';

@Controller('api/media')
@UseGuards(SessionGuard)
export class MediaController {
  constructor(private readonly media: MediaService) {}

  /** ICE servers for this person: STUN/TURN with short-lived coturn credentials (REST-API scheme). */
  @Get('ice-servers')
  @GuestAllowed() // a guest speaker's media needs them like anyone's
  iceServers(@Session() session: SessionClaims): { iceServers: IceServer[] } {
    return { iceServers: this.media.iceServers(session.userId) };
  }
}
