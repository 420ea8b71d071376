import { Injectable } from '@nestjs/common';
import { Observable, Subject } from 'rxjs';
import { BreakoutServerEvents, type BreakoutServerPayloads } from '../contracts/breakout';

type Of<E extends keyof BreakoutServerPayloads> = { event: E; payload: BreakoutServerPayloads[E] };

/** Who a breakout announcement goes to: the whole class (every room), its instructors, or one room. */
export type BreakoutAnnouncement =
  | ({ to: 'class'; sessionId: string } & (
      | Of<typeof BreakoutServerEvents.state>
      | Of<typeof BreakoutServerEvents.warning>
      | Of<typeof BreakoutServerEvents.note>
    ))
  | ({ to: 'teachers'; sessionId: string } & Of<typeof BreakoutServerEvents.helpRequested>)
  | ({ to: 'room'; roomId: string } & Of<typeof BreakoutServerEvents.visitor>);

/**
 * What the breakout service tells the class, from wherever it runs (a socket handler, the timer's job on
 * any instance, the class's end). The gateway sends it out through socket.io's Redis adapter.
 */
@Injectable()
export class BreakoutAnnouncer {
  private readonly subject = new Subject<BreakoutAnnouncement>();
  readonly announcements: Observable<BreakoutAnnouncement> = this.subject.asObservable();

  announce(a: BreakoutAnnouncement): void {
    this.subject.next(a);
  }
}
