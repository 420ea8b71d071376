import { Process, Processor } from '@nestjs/bull';
import type { Job } from 'bull';
import { SaveBoardJob, WHITEBOARD_QUEUE, WhiteboardService } from './whiteboard.service';

/** Board saves to Postgres, retried with backoff: at page changes, and at the end of class. */
@Processor(WHITEBOARD_QUEUE)
export class WhiteboardProcessor {
  constructor(private readonly whiteboard: WhiteboardService) {}

  @Process('save')
  save(job: Job<SaveBoardJob>) {
    return this.whiteboard.persist(job.data.sessionId, job.data.courseId, job.data.final);
  }
}
