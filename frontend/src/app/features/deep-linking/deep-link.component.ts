import { ChangeDetectionStrategy, Component, DOCUMENT, inject, OnInit, signal } from '@angular/core';
import type { DeepLinkingView, NewClassroomChoice } from '@contracts/api';
import { TranslocoPipe } from '@jsverse/transloco';
import { ShownError, toShownError } from '../../core/api-error';
import { ErrorNoticeComponent } from '../../core/error-notice.component';
import { LanguageService, LocalTimePipe } from '../../core/i18n/i18n';
import { DeepLinkingApi } from './deep-linking-api.service';

/** Placing Lectern in a course or assignment: create a classroom or pick one, then hand the choice back to the LMS. */
@Component({
  selector: 'app-deep-link',
  imports: [TranslocoPipe, LocalTimePipe, ErrorNoticeComponent],
  template: `
    <main class="page">
      @if (view(); as v) {
        <section class="card">
          <h1>{{ 'deepLink.title' | transloco: { course: v.course.title } }}</h1>
          <form
            (submit)="
              $event.preventDefault();
              create(title.value, when.value, att.checked, attPts.value, quiz.checked, quizPts.value)
            "
            data-testid="new-classroom"
          >
            <h2>{{ 'deepLink.newClassroom' | transloco }}</h2>
            <label
              >{{ 'deepLink.titleLabel' | transloco }}
              <input
                #title
                required
                maxlength="200"
                data-testid="dl-title"
                [value]="'deepLink.defaultTitle' | transloco"
            /></label>
            <label
              >{{ 'deepLink.firstClass' | transloco: { zone: browserZone } }}
              <input #when type="datetime-local" data-testid="dl-when"
            /></label>
            <label class="check"
              ><input #att type="checkbox" data-testid="dl-graded" /> {{ 'deepLink.gradeAttendance' | transloco }}
              <input #attPts type="number" min="1" value="10" data-testid="dl-points" />
              {{ 'deepLink.points' | transloco }}</label
            >
            <label class="check"
              ><input #quiz type="checkbox" /> {{ 'deepLink.gradeQuizzes' | transloco }}
              <input #quizPts type="number" min="1" value="10" /> {{ 'deepLink.points' | transloco }}</label
            >
            <button class="btn" [disabled]="busy()" data-testid="dl-create">{{ 'deepLink.add' | transloco }}</button>
          </form>
        </section>
        @if (v.classrooms.length) {
          <section class="card">
            <h2>{{ 'deepLink.orUse' | transloco }}</h2>
            <ul>
              @for (c of v.classrooms; track c.id) {
                <li>
                  <strong>{{ c.title }}</strong>
                  <span class="muted"
                    >{{
                      c.attendancePoints
                        ? ('deepLink.attendanceOutOf' | transloco: { points: c.attendancePoints })
                        : ('deepLink.notGraded' | transloco)
                    }}
                    @if (c.scheduledFor) {
                      · {{ c.scheduledFor | localTime: browserZone }}
                    }
                  </span>
                  <button class="btn quiet" [disabled]="busy()" (click)="pick(c.id)" data-testid="dl-pick">
                    {{ 'deepLink.useThis' | transloco }}
                  </button>
                </li>
              }
            </ul>
          </section>
        }
      }
      @if (sending()) {
        <p class="muted" data-testid="dl-sending">{{ 'deepLink.returning' | transloco }}</p>
      }
      @if (error(); as e) {
        <app-error-notice [error]="e" testId="dl-error" />
      }
    </main>
  `,
  styles: `
    .page {
      max-width: 44rem;
      margin: 0 auto;
      padding: 1rem;
      display: grid;
      gap: 1rem;
    }
    form {
      display: grid;
      gap: 0.7rem;
    }
    label {
      display: grid;
      gap: 0.2rem;
    }
    label.check {
      display: block;
    }
    label.check input[type='number'] {
      width: 5rem;
    }
    ul {
      list-style: none;
      padding: 0;
      display: grid;
      gap: 0.6rem;
    }
    li {
      display: flex;
      gap: 0.6rem;
      align-items: center;
      flex-wrap: wrap;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class DeepLinkComponent implements OnInit {
  private readonly api = inject(DeepLinkingApi);
  private readonly document = inject(DOCUMENT);
  protected readonly view = signal<DeepLinkingView | null>(null);
  protected readonly error = signal<ShownError | null>(null);
  protected readonly busy = signal(false);
  protected readonly sending = signal(false);
  private readonly language = inject(LanguageService);
  /** The instructor types the first class's time in their own clock (datetime-local), named on the page. */
  protected readonly browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

  async ngOnInit(): Promise<void> {
    try {
      this.view.set(await this.api.view());
    } catch (e) {
      this.error.set(toShownError(e));
    }
  }

  create(title: string, when: string, graded: boolean, points: string, quiz: boolean, quizPoints: string) {
    const choice: NewClassroomChoice = { title, locale: this.language.current() };
    if (when) choice.scheduledFor = new Date(when).toISOString();
    if (graded) choice.attendancePoints = Number(points);
    if (quiz) choice.quizPoints = Number(quizPoints);
    return this.respond(choice);
  }

  pick(id: string) {
    return this.respond({ existingClassroomId: id });
  }

  private async respond(choice: NewClassroomChoice | { existingClassroomId: string }) {
    this.busy.set(true);
    try {
      const res = await this.api.respond(choice);
      this.sending.set(true);
      // The LTI deep-linking response is a form POST of the signed JWT to the platform's return URL.
      const form = this.document.createElement('form');
      form.method = 'POST';
      form.action = res.returnUrl;
      const input = this.document.createElement('input');
      input.type = 'hidden';
      input.name = 'JWT';
      input.value = res.jwt;
      form.appendChild(input);
      this.document.body.appendChild(form);
      form.submit();
    } catch (e) {
      this.error.set(toShownError(e));
      this.busy.set(false);
    }
  }
}
