import { Process, Processor } from '@nestjs/bull';
import type { Job } from 'bull';
import { QUIZ_QUEUE, QuizGradingService, type CloseQuizJob } from './quiz-grading.service';

/** A quiz's time limit: the close job, run by whichever instance Bull hands it to (idempotent). */
@Processor(QUIZ_QUEUE)
export class QuizProcessor {
  constructor(private readonly grading: QuizGradingService) {}

  @Process('close')
  async close(job: Job<CloseQuizJob>) {
    await this.grading.close(job.data.quizId, 'time');
  }
}
