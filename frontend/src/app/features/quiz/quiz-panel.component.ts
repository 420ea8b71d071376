import {
  ChangeDetectionStrategy,
  Component,
  computed,
  effect,
  inject,
  input,
  model,
  signal,
  untracked,
} from '@angular/core';
import { TranslocoPipe, TranslocoService } from '@jsverse/transloco';
import { QuizHostComponent } from './quiz-host.component';
import { QuizLauncherComponent } from './quiz-launcher.component';
import { QuizLive } from './quiz-live.service';
import { QuizStudentComponent } from './quiz-student.component';

/**
 * The quiz in the live room. Students: the launched quiz as a sheet that rises from the bottom of a
 * phone (a card beside the class on a laptop), which they may fold while it runs. Instructors: a panel
 * opened from the room's bar, with the launcher or the live chart. One QuizLive per room, made here.
 */
@Component({
  selector: 'app-quiz-panel',
  imports: [QuizHostComponent, QuizLauncherComponent, QuizStudentComponent, TranslocoPipe],
  providers: [QuizLive],
  template: `
    @if (canTeach()) {
      @if (open()) {
        <aside class="sheet" [attr.aria-label]="'quizTeach.panel' | transloco" data-testid="quiz-panel">
          <button
            type="button"
            class="fold"
            (click)="open.set(false)"
            [attr.aria-label]="'quizTeach.closePanel' | transloco"
          >
            ✕
          </button>
          @if (teacherView(); as v) {
            @if (!composing()) {
              <app-quiz-host [view]="v" (another)="composing.set(true)" />
            } @else {
              <app-quiz-launcher (launched)="composing.set(false)" />
              <button type="button" class="btn quiet back" (click)="composing.set(false)">
                {{ 'quizTeach.backTo' | transloco: { title: v.title } }}
              </button>
            }
          } @else {
            <app-quiz-launcher (launched)="composing.set(false)" />
          }
        </aside>
      }
    } @else if (studentView(); as v) {
      @if (folded() && !v.closedAt) {
        <button type="button" class="unfold btn" (click)="folded.set(false)" data-testid="quiz-unfold">
          {{ 'quizTeach.openAnswer' | transloco: { title: v.title } }}
        </button>
      } @else {
        <aside class="sheet student" [attr.aria-label]="'quizTeach.panel' | transloco" data-testid="quiz-panel">
          @if (!v.closedAt) {
            <button
              type="button"
              class="fold"
              (click)="folded.set(true)"
              [attr.aria-label]="'quizTeach.fold' | transloco"
            >
              ▾
            </button>
          }
          <app-quiz-student [view]="v" />
        </aside>
      }
    }
    <p class="sr-only" aria-live="polite" data-testid="quiz-announce">{{ announcement() }}</p>
  `,
  styles: `
    .sheet {
      position: fixed;
      z-index: 20;
      right: 1rem;
      bottom: 1rem;
      width: min(30rem, calc(100vw - 2rem));
      max-height: calc(100vh - 5rem);
      overflow: auto;
      background: var(--card);
      border-radius: 16px;
      padding: 1rem 1.1rem 1.2rem;
      box-shadow: 0 10px 40px rgba(15, 23, 42, 0.3);
    }
    .fold {
      position: absolute;
      top: 0.4rem;
      right: 0.4rem;
      width: 44px;
      height: 44px;
      border: 0;
      border-radius: 50%;
      background: #f1f5f9;
      cursor: pointer;
      font-size: 1.1rem;
      z-index: 1;
    }
    .sheet > :not(.fold) {
      display: block;
    }
    .sheet ::ng-deep .top {
      padding-right: 3rem;
    }
    .back {
      margin-top: 0.6rem;
      width: 100%;
    }
    .unfold {
      position: fixed;
      z-index: 20;
      left: 50%;
      transform: translateX(-50%);
      bottom: 1rem;
      box-shadow: 0 6px 20px rgba(15, 23, 42, 0.3);
      max-width: calc(100vw - 2rem);
    }
    .sr-only {
      position: absolute;
      width: 1px;
      height: 1px;
      overflow: hidden;
      clip-path: inset(50%);
      white-space: nowrap;
    }
    /* A phone: the student's question takes the lower screen, above the LMS app's own bars, thumbs' reach. */
    @media (max-width: 720px) {
      .sheet {
        left: 0;
        right: 0;
        bottom: 0;
        width: auto;
        max-height: 88vh;
        border-radius: 18px 18px 0 0;
        padding: 1rem 0.9rem calc(1rem + env(safe-area-inset-bottom));
      }
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class QuizPanelComponent {
  readonly canTeach = input(false);
  /** Instructors open and close the panel from the room's bar. */
  readonly open = model(false);
  private readonly live = inject(QuizLive);
  private readonly i18n = inject(TranslocoService);
  protected readonly composing = signal(false);
  protected readonly folded = signal(false);
  protected readonly announcement = signal('');
  protected readonly teacherView = computed(() => {
    const v = this.live.shown();
    return v?.role === 'teacher' ? v.quiz : null;
  });
  protected readonly studentView = computed(() => {
    const v = this.live.shown();
    return v?.role === 'student' ? v.quiz : null;
  });

  constructor() {
    // A new quiz (or its results) is said once to screen readers and unfolds the student's sheet.
    let said = '';
    effect(() => {
      const v = this.studentView();
      const key = v ? `${v.id}:${v.revealedAt ? 'revealed' : 'open'}` : '';
      if (!v || key === said) return;
      const first = said === '';
      said = key;
      untracked(() => {
        this.folded.set(false);
        // Already running when this page joined: not news.
        if (first && v.mine.length) return;
        const n = v.questions.length;
        this.announcement.set(
          v.revealedAt
            ? this.i18n.translate('quizTeach.saidResults', { title: v.title })
            : this.i18n.translate(n === 1 ? 'quizTeach.saidNewOne' : 'quizTeach.saidNewMany', { title: v.title, n }),
        );
      });
    });
    // An instructor who launches from elsewhere (another tab) sees the panel open on it.
    const openId = computed(() => {
      const v = this.teacherView();
      return v && !v.closedAt ? v.id : null;
    });
    effect(() => {
      if (openId()) untracked(() => this.open.set(true));
    });
  }
}
