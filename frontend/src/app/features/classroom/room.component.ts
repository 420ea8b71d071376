import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, inject, input, OnInit, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import type { LiveSessionView } from '@contracts/api';
import { ShownError, toShownError } from '../../core/api-error';
import { ClassroomApi } from './classroom-api.service';

/**
 * The class a person entered. This issue brings people into the session; the realtime room
 * (participants, chat, video, whiteboard) is built on this page by the live room and media issues.
 */
@Component({
  selector: 'app-room',
  imports: [DatePipe, RouterLink],
  template: `
    <main class="room">
      @if (session(); as s) {
        <section class="card" data-testid="room">
          @if (s.endedAt) {
            <h1>This class has ended</h1>
            <p class="muted">It ended at {{ s.endedAt | date: 'shortTime' }}.</p>
          } @else {
            <p class="live"><span class="dot"></span> Live</p>
            <h1 data-testid="room-title">You are in class</h1>
            <p class="muted">Started by {{ s.startedBy }} at {{ s.startedAt | date: 'shortTime' }}.</p>
          }
          <a class="btn quiet" routerLink="/lobby" data-testid="back-to-lobby">Back to the lobby</a>
        </section>
      } @else if (error(); as e) {
        <p class="card error" data-testid="room-error">{{ e.message }}</p>
      }
    </main>
  `,
  styles: `
    .room { max-width: 44rem; margin: 0 auto; padding: 1rem; }
    .live { color: var(--live); font-weight: 600; display: flex; gap: .4rem; align-items: center; margin: 0; }
    .dot { width: .6rem; height: .6rem; border-radius: 50%; background: var(--live); }
    a.btn { display: inline-block; text-decoration: none; }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class RoomComponent implements OnInit {
  readonly sessionId = input.required<string>();
  private readonly api = inject(ClassroomApi);
  protected readonly session = signal<LiveSessionView | null>(null);
  protected readonly error = signal<ShownError | null>(null);

  async ngOnInit(): Promise<void> {
    try {
      this.session.set(await this.api.session(this.sessionId()));
    } catch (e) {
      this.error.set(toShownError(e));
    }
  }
}
