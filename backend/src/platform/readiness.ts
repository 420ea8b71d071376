import { Injectable, Logger } from '@nestjs/common';
import { Subject } from 'rxjs';

/**
 * This instance's own state for the load balancer: draining (no new traffic; it finishes what it has)
 * and when Redis last answered. Process-local by nature: it describes this process only.
 */
@Injectable()
export class Readiness {
  private readonly logger = new Logger('Readiness');
  private drainingSince: number | null = null;
  private redisOkAt: number | null = null;
  /** Emits true when draining starts and false when it is called off. */
  readonly drainChanges = new Subject<boolean>();

  get draining(): boolean {
    return this.drainingSince !== null;
  }

  get redisLastOkAt(): number | null {
    return this.redisOkAt;
  }

  redisAnswered(at = Date.now()): void {
    this.redisOkAt = at;
  }

  drain(why: string): void {
    if (this.drainingSince !== null) return;
    this.drainingSince = Date.now();
    this.logger.warn(`draining (${why}): readiness is false, work in hand goes on`);
    this.drainChanges.next(true);
  }

  undrain(): void {
    if (this.drainingSince === null) return;
    this.drainingSince = null;
    this.logger.log('drain called off: ready for new traffic again');
    this.drainChanges.next(false);
  }
}
