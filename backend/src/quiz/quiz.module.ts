import { BullModule } from '@nestjs/bull';
import { DynamicModule, Module } from '@nestjs/common';
import Redis from 'ioredis';
import { ClassroomModule } from '../classroom/classroom.module';
import { REDIS } from '../platform/redis';
import { TenancyModule } from '../tenancy/tenancy.module';
import { LiveQuizStore } from './infra/live-quiz.store';
import { QuizRepository } from './infra/quiz.repository';
import { QuizAnnouncer } from './quiz-announcer';
import { QUIZ_QUEUE, QuizGradingService } from './quiz-grading.service';
import { QuizResultsService } from './quiz-results.service';
import { QuizController } from './quiz.controller';
import { QuizGateway } from './quiz.gateway';
import { QuizProcessor } from './quiz.processor';
import { QuizService } from './quiz.service';
import { QuizSweeper } from './quiz-sweeper';

/** Live quizzes and polls (PROTOCOL.md): the bank, launches, answers, live charts, grades through the outbox. */
@Module({})
export class QuizModule {
  /** `grades` is the very GradesModule.forRoot(...) object the app imports (Nest tells module instances apart by reference). */
  static forRoot(grades: DynamicModule): DynamicModule {
    return {
      module: QuizModule,
      imports: [BullModule.registerQueue({ name: QUIZ_QUEUE }), ClassroomModule, grades, TenancyModule],
      controllers: [QuizController],
      providers: [
        QuizRepository,
        { provide: LiveQuizStore, inject: [REDIS], useFactory: (redis: Redis) => new LiveQuizStore(redis) },
        QuizAnnouncer,
        QuizGradingService,
        QuizService,
        QuizResultsService,
        QuizGateway,
        QuizProcessor,
        QuizSweeper,
      ],
    };
  }
}
