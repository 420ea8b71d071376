import { Module } from '@nestjs/common';
import { ChatModule } from '../chat/chat.module';
import { TenancyModule } from '../tenancy/tenancy.module';
import { ClassroomController } from './classroom.controller';
import { ClassroomService } from './classroom.service';
import { LiveSessionRepository } from './infra/live-session.repository';
import { PresenceService } from './presence.service';
import { RoomGateway } from './room.gateway';
import { RoomService } from './room.service';

@Module({
  imports: [TenancyModule, ChatModule],
  controllers: [ClassroomController],
  providers: [LiveSessionRepository, ClassroomService, PresenceService, RoomService, RoomGateway],
  exports: [ClassroomService, PresenceService],
})
export class ClassroomModule {}
