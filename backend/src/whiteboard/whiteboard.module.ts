import { BullModule } from '@nestjs/bull';
import { Module } from '@nestjs/common';
import { BoardStore } from './board-store.service';
import { WhiteboardController } from './whiteboard.controller';
import { WhiteboardGateway } from './whiteboard.gateway';
import { WhiteboardProcessor } from './whiteboard.processor';
import { WHITEBOARD_QUEUE, WhiteboardService } from './whiteboard.service';

@Module({
  imports: [BullModule.registerQueue({ name: WHITEBOARD_QUEUE })],
  controllers: [WhiteboardController],
  providers: [BoardStore, WhiteboardService, WhiteboardGateway, WhiteboardProcessor],
})
export class WhiteboardModule {}
