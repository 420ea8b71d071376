import { ChangeDetectionStrategy, Component, computed, inject, input, OnInit, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import type { ClassSummary } from '@contracts/class-control';
import { TranslocoPipe, TranslocoService } from '@jsverse/transloco';
import { LanguageService } from '../../../core/i18n/i18n';
import { ClassControlApi } from './class-control-api.service';
import { formatDuration, spokenDuration } from '../../attendance/duration';

/** The end screen: the class ended (not "offline"), how long it lasted, who came, and the saved board. */
@Component({
  selector: 'app-class-ended',
  imports: [RouterLink, TranslocoPipe],
  template: `
    <section class="card ended" data-testid="room-ended" role="status">
      <h2>{{ 'control.endedTitle' | transloco }}</h2>
      @if (guest()) {
        <p>{{ 'control.guestThanks' | transloco }}</p>
      } @else {
        @if (summary(); as s) {
          <p data-testid="ended-summary">
            {{ 'control.lasted' | transloco }}
            <strong data-testid="ended-duration" [attr.aria-label]="spoken()">{{ duration() }}</strong>.
            {{ 'control.peopleCame' | transloco: { count: s.people.length } }}
          </p>
          <ul class="people" data-testid="ended-people">
            @for (p of s.people; track $index) {
              <li>
                {{ p.name }} <small class="muted">{{ 'roles.' + p.role | transloco }}</small>
              </li>
            }
          </ul>
          <p class="links">
            <a [routerLink]="s.boardPath" data-testid="ended-board">{{ 'control.savedBoard' | transloco }}</a>
            ·
            <a routerLink="/lobby">{{ 'control.backToLobby' | transloco }}</a>
            @if (canTeach()) {
              ·
              <a routerLink="/attendance" [queryParams]="{ session: sessionId() }" data-testid="ended-attendance">{{
                'control.attendanceOfClass' | transloco
              }}</a>
            }
          </p>
        } @else {
          <p>
            <a routerLink="/lobby">{{ 'control.backToLobby' | transloco }}</a>
          </p>
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
  protected readonly summary = signal<ClassSummary | null>(null);
  protected readonly duration = computed(() => formatDuration(this.summary()?.durationMs));
  private readonly i18n = inject(TranslocoService);
  private readonly language = inject(LanguageService);
  protected readonly spoken = computed(() =>
    spokenDuration(
      this.summary()?.durationMs,
      (key, params) => (this.language.current(), this.i18n.translate(key, params)),
    ),
  );

  ngOnInit(): void {
    if (!this.guest())
      this.api.summary(this.sessionId()).then(
        (s) => this.summary.set(s),
        () => undefined,
      );
  }
}
