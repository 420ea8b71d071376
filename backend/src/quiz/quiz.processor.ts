import { Process, Processor } from '@nestjs/bull';
import type { Job } from 'bull';
import { QUIZ_QUEUE, QuizGradingService, type CloseQuizJob } from './quiz-grading.service';
import { QuizSweeper } from './quiz-sweeper';

/** A quiz's time limit: the close job, run by whichever instance Bull hands it to (idempotent); and the sweep. */
@Processor(QUIZ_QUEUE)
export class QuizProcessor {
  constructor(
    private readonly grading: QuizGradingService,
    private readonly sweeper: QuizSweeper,
  ) {}

  @Process('close')
  async close(job: Job<CloseQuizJob>) {
    await this.grading.close(job.data.quizId, 'time');
  }

  @Process('sweep')
  async sweep(job: Job<{ restored?: boolean }>) {
    await this.sweeper.sweep(job.data.restored === true);
  }
}
