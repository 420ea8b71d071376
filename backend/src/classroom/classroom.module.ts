import { Module } from '@nestjs/common';
import { ChatModule } from '../chat/chat.module';
import { MediaModule } from '../media/media.module';
import { TenancyModule } from '../tenancy/tenancy.module';
import { WhiteboardModule } from '../whiteboard/whiteboard.module';
import { ClassControlGateway } from './class-control.gateway';
import { ClassControlService } from './class-control.service';
import { ClassroomController } from './classroom.controller';
import { ClassroomService } from './classroom.service';
import { ClassControlController, GuestController } from './guest.controller';
import { GuestService } from './guest.service';
import { ClassControlRepository } from './infra/class-control.repository';
import { ClassControlStore } from './infra/class-control.store';
import { LiveSessionRepository } from './infra/live-session.repository';
import { PresenceFanout } from './presence-fanout';
import { PresenceService } from './presence.service';
import { RoomGateway } from './room.gateway';
import { RoomService } from './room.service';

@Module({
  imports: [TenancyModule, ChatModule, MediaModule, WhiteboardModule],
  controllers: [ClassroomController, ClassControlController, GuestController],
  providers: [
    LiveSessionRepository,
    ClassControlRepository,
    ClassControlStore,
    ClassroomService,
    PresenceService,
    PresenceFanout,
    RoomService,
    ClassControlService,
    GuestService,
    RoomGateway,
    ClassControlGateway,
  ],
  exports: [ClassroomService, PresenceService],
})
export class ClassroomModule {}
