import { BullModule } from '@nestjs/bull';
import { Module } from '@nestjs/common';
import Redis from 'ioredis';
import { ChatModule } from '../chat/chat.module';
import { ClassroomModule } from '../classroom/classroom.module';
import { MediaModule } from '../media/media.module';
import { REDIS } from '../platform/redis';
import { WhiteboardModule } from '../whiteboard/whiteboard.module';
import { BreakoutAnnouncer } from './breakout-announcer';
import { BreakoutController } from './breakout.controller';
import { BreakoutGateway } from './breakout.gateway';
import { BreakoutPlansService } from './breakout-plans.service';
import { BreakoutProcessor } from './breakout.processor';
import { BREAKOUT_QUEUE, BreakoutService } from './breakout.service';
import { BreakoutRepository } from './infra/breakout.repository';
import { BreakoutStore } from './infra/breakout.store';

/** Breakout rooms (PROTOCOL.md): split, move, visit, broadcast, recall, help, a timer that survives a restart, plans. */
@Module({
  imports: [
    BullModule.registerQueue({ name: BREAKOUT_QUEUE }),
    ClassroomModule,
    ChatModule,
    MediaModule,
    WhiteboardModule,
  ],
  controllers: [BreakoutController],
  providers: [
    BreakoutRepository,
    { provide: BreakoutStore, inject: [REDIS], useFactory: (redis: Redis) => new BreakoutStore(redis) },
    BreakoutAnnouncer,
    BreakoutService,
    BreakoutPlansService,
    BreakoutGateway,
    BreakoutProcessor,
  ],
})
export class BreakoutModule {}
