import { Injectable } from '@nestjs/common';
import { Observable, Subject } from 'rxjs';
import {
  QuizServerEvents,
  type QuizServerPayloads,
  type QuizStudentView,
  type QuizTeacherView,
} from '../contracts/quiz';

/** Who a quiz announcement goes to: the class, its instructors only, or one person's own connections. */
export type QuizAnnouncement =
  | { to: 'launch'; sessionId: string; student: QuizStudentView; teacher: QuizTeacherView }
  | {
      to: 'teachers';
      sessionId: string;
      event: typeof QuizServerEvents.tally;
      payload: QuizServerPayloads[typeof QuizServerEvents.tally];
    }
  | {
      to: 'class';
      sessionId: string;
      event: typeof QuizServerEvents.closed;
      payload: QuizServerPayloads[typeof QuizServerEvents.closed];
    }
  | {
      to: 'class';
      sessionId: string;
      event: typeof QuizServerEvents.revealed;
      payload: QuizServerPayloads[typeof QuizServerEvents.revealed];
    }
  | {
      to: 'user';
      sessionId: string;
      userId: string;
      event: typeof QuizServerEvents.result;
      payload: QuizServerPayloads[typeof QuizServerEvents.result];
    };

/**
 * What the quiz service tells the class, from wherever it runs (a socket handler, an HTTP re-mark, the
 * time-limit job on any instance). The gateway sends it out through socket.io's Redis adapter.
 */
@Injectable()
export class QuizAnnouncer {
  private readonly subject = new Subject<QuizAnnouncement>();
  readonly announcements: Observable<QuizAnnouncement> = this.subject.asObservable();

  announce(a: QuizAnnouncement): void {
    this.subject.next(a);
  }
}
