import { Module } from '@nestjs/common';
import { BoardStore } from './board-store.service';
import { WhiteboardController } from './whiteboard.controller';
import { WhiteboardGateway } from './whiteboard.gateway';
import { WhiteboardService } from './whiteboard.service';

@Module({ controllers: [WhiteboardController], providers: [BoardStore, WhiteboardService, WhiteboardGateway] })
export class WhiteboardModule {}
