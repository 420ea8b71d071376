import { Module } from '@nestjs/common';
import { MediaController } from './media.controller';
import { MediaGateway } from './media.gateway';
import { MediaService } from './media.service';

@Module({ controllers: [MediaController], providers: [MediaService, MediaGateway], exports: [MediaService] })
export class MediaModule {}
