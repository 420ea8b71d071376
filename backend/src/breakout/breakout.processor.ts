import { Process, Processor } from '@nestjs/bull';
import type { Job } from 'bull';
import { BREAKOUT_QUEUE, BreakoutService, type BreakoutTimerJob } from './breakout.service';

/** The breakout timer: the one-minute warning and the close, run by whichever instance Bull hands them to (idempotent). */
@Processor(BREAKOUT_QUEUE)
export class BreakoutProcessor {
  constructor(private readonly breakouts: BreakoutService) {}

  @Process('warn')
  async warn(job: Job<BreakoutTimerJob>) {
    await this.breakouts.timerFired('warn', job.data);
  }

  @Process('close')
  async close(job: Job<BreakoutTimerJob>) {
    await this.breakouts.timerFired('close', job.data);
  }
}
