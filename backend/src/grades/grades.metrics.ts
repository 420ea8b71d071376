import { Injectable, OnModuleInit } from '@nestjs/common';
import { Metrics } from '../platform/metrics/metrics';
import { GradeOutboxRepository } from './infra/grade-outbox.repository';

/** Grades waiting to reach the LMS and grades that gave up, read from the outbox at each scrape. */
@Injectable()
export class GradesMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: Metrics,
    private readonly outbox: GradeOutboxRepository,
  ) {}

  onModuleInit(): void {
    this.metrics.gauge(
      'lectern_grades',
      'Grades in the outbox by status: pending (not posted yet) and failed (gave up; an instructor can retry)',
      ['status'],
      async () => {
        const counts = new Map((await this.outbox.countsByStatus()).map((c) => [c.status, c.count]));
        return ['pending', 'failed'].map((status) => ({ labels: { status }, value: counts.get(status) ?? 0 }));
      },
    );
  }
}
