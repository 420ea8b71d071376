import { Module } from '@nestjs/common';
import { ChatService } from './chat.service';
import { ChatMessageRepository } from './infra/chat-message.repository';

@Module({ providers: [ChatMessageRepository, ChatService], exports: [ChatService] })
export class ChatModule {}
