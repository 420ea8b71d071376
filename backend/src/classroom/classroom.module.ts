import { Module } from '@nestjs/common';
import { TenancyModule } from '../tenancy/tenancy.module';
import { ClassroomController } from './classroom.controller';
import { ClassroomService } from './classroom.service';

@Module({ imports: [TenancyModule], controllers: [ClassroomController], providers: [ClassroomService] })
export class ClassroomModule {}
