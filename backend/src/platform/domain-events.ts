import { Injectable } from '@nestjs/common';
import { filter, map, Observable, Subject } from 'rxjs';

/** Every in-process domain event and its payload. Modules talk through these, not through each other's tables. */
export interface DomainEventMap {
  'launch.completed': { courseId: string; userId: string; role: string };
  /**
   * A verified launch of an LMS observer (role Mentor) naming the students they observe (role_scope_mentor),
   * whether or not the observer may enter Lectern; the roster keeps the links (guardian contacts for attendance).
   */
  'observer.launched': {
    issuer: string;
    clientId: string;
    deploymentId: string;
    contextId: string;
    observerSubject: string;
    links: Array<{ observerSubject: string; studentSubject: string; email: string | null; name: string | null }>;
  };
  /** A platform was registered or its endpoints changed (the CSP's frame-ancestors are read again). */
  'platform.registered': { issuer: string; clientId: string };
  'participant.joined': { sessionId: string; courseId: string; userId: string; role: string; at: Date };
  'participant.left': {
    sessionId: string;
    courseId: string;
    userId: string;
    at: Date;
    reason: 'left' | 'disconnected' | 'removed' | 'ended' | 'lost';
  };
  /** A teacher muted, stopped the camera of, or removed someone (the media module acts on it in the SFU). */
  'participant.controlled': {
    sessionId: string;
    userId: string;
    action: 'mute' | 'stop-camera' | 'remove';
    by: string;
  };
  'session.ended': { sessionId: string; courseId: string; at: Date };
  /** The class split into breakout rooms (their names), and later came back together (the recording's chapters). */
  'breakouts.opened': { sessionId: string; courseId: string; at: Date; rooms: string[] };
  'breakouts.closed': { sessionId: string; courseId: string; at: Date };
  /**
   * A student's quiz answer was accepted (a change allowed by the instructor is another accepted answer);
   * nothing for a refused one. answerMs: from the launch to the answer. correct: null for a poll, else
   * whether the automatic mark is full marks. Engagement reads it.
   */
  'quiz.answered': {
    sessionId: string;
    courseId: string;
    quizId: string;
    questionId: string;
    userId: string;
    answerMs: number;
    correct: boolean | null;
  };
}

type Envelope = { [K in keyof DomainEventMap]: { name: K; payload: DomainEventMap[K] } }[keyof DomainEventMap];

@Injectable()
export class DomainEvents {
  private readonly bus = new Subject<Envelope>();

  emit<K extends keyof DomainEventMap>(name: K, payload: DomainEventMap[K]): void {
    this.bus.next({ name, payload } as Envelope);
  }

  on<K extends keyof DomainEventMap>(name: K): Observable<DomainEventMap[K]> {
    return this.bus.pipe(
      filter((e) => e.name === name),
      map((e) => e.payload as DomainEventMap[K]),
    );
  }
}
