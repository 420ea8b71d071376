import { BullModule } from '@nestjs/bull';
import { Module } from '@nestjs/common';
import Redis from 'ioredis';
import { REDIS } from '../platform/redis';
import { BoardStore } from './board-store.service';
import { boardFromData } from './domain/board';
import { RedisBoardLog } from './infra/redis-board-log';
import { SavedBoardsRepository } from './infra/saved-boards.repository';
import { WhiteboardController } from './whiteboard.controller';
import { WhiteboardGateway } from './whiteboard.gateway';
import { WhiteboardProcessor } from './whiteboard.processor';
import { WHITEBOARD_QUEUE, WhiteboardService } from './whiteboard.service';

@Module({
  imports: [BullModule.registerQueue({ name: WHITEBOARD_QUEUE })],
  controllers: [WhiteboardController],
  providers: [
    SavedBoardsRepository,
    { provide: RedisBoardLog, inject: [REDIS], useFactory: (redis: Redis) => new RedisBoardLog(redis) },
    {
      provide: BoardStore,
      inject: [RedisBoardLog, SavedBoardsRepository],
      useFactory: (log: RedisBoardLog, saved: SavedBoardsRepository) =>
        new BoardStore(log, {
          // A board Redis no longer has (flushed, failed over without persistence) starts again from its
          // last save, if its class is still going (an ended class's board stays in Postgres).
          seed: async (sessionId) => {
            const data = await saved.liveSave(sessionId);
            return data && boardFromData(data);
          },
        }),
    },
    WhiteboardService,
    WhiteboardGateway,
    WhiteboardProcessor,
  ],
  // The classroom's whiteboard lock sets who may draw through the service; the recording replays a
  // class's board (WhiteboardService.timeline).
  exports: [WhiteboardService],
})
export class WhiteboardModule {}
