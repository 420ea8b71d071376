import { ChangeDetectionStrategy, Component, computed, inject, input, OnInit, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import type { ClassSummary } from '@contracts/class-control';
import { ROLE_LABELS } from '../../../core/api-error';
import { ClassControlApi } from './class-control-api.service';
import { formatDuration, spokenDuration } from '../../attendance/duration';

/** The end screen: the class ended (not "offline"), how long it lasted, who came, and the saved board. */
@Component({
  selector: 'app-class-ended',
  imports: [RouterLink],
  template: `
    <section class="card ended" data-testid="room-ended" role="status">
      <h2>This class has ended</h2>
      @if (guest()) {
        <p>Thank you for joining. You can close this page.</p>
      } @else {
        @if (summary(); as s) {
          <p data-testid="ended-summary">
            It lasted
            <strong data-testid="ended-duration" [attr.aria-label]="spoken()">{{ duration() }}</strong>;
            {{ s.people.length }} {{ s.people.length === 1 ? 'person' : 'people' }} came.
          </p>
          <ul class="people" data-testid="ended-people">
            @for (p of s.people; track $index) {
              <li>
                {{ p.name }} <small class="muted">{{ roleLabels[p.role] }}</small>
              </li>
            }
          </ul>
          <p class="links">
            <a [routerLink]="s.boardPath" data-testid="ended-board">The saved whiteboard</a>
            ·
            <a routerLink="/lobby">Back to the lobby</a>
            @if (canTeach()) {
              ·
              <a routerLink="/attendance" [queryParams]="{ session: sessionId() }" data-testid="ended-attendance"
                >Attendance of this class</a
              >
            }
          </p>
        } @else {
          <p><a routerLink="/lobby">Back to the lobby</a></p>
        }
      }
    </section>
  `,
  styles: `
    .ended {
      max-width: 36rem;
      margin: 1rem auto;
    }
    .people {
      columns: 2 12rem;
      padding-left: 1.2rem;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ClassEndedComponent implements OnInit {
  private readonly api = inject(ClassControlApi);
  readonly sessionId = input.required<string>();
  readonly canTeach = input(false);
  readonly guest = input(false);
  protected readonly roleLabels = ROLE_LABELS;
  protected readonly summary = signal<ClassSummary | null>(null);
  protected readonly duration = computed(() => formatDuration(this.summary()?.durationMs));
  protected readonly spoken = computed(() => spokenDuration(this.summary()?.durationMs));

  ngOnInit(): void {
    if (!this.guest())
      this.api.summary(this.sessionId()).then(
        (s) => this.summary.set(s),
        () => undefined,
      );
  }
}
