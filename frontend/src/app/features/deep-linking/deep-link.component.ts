import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, DOCUMENT, inject, OnInit, signal } from '@angular/core';
import type { DeepLinkingView, NewClassroomChoice } from '@contracts/api';
import { ShownError, toShownError } from '../../core/api-error';
import { DeepLinkingApi } from './deep-linking-api.service';

/** Placing Lectern in a course or assignment: create a classroom or pick one, then hand the choice back to the LMS. */
@Component({
  selector: 'app-deep-link',
  imports: [DatePipe],
  template: `
    <main class="page">
      @if (view(); as v) {
        <section class="card">
          <h1>Add a Lectern classroom to {{ v.course.title }}</h1>
          <form
            (submit)="
              $event.preventDefault();
              create(title.value, when.value, att.checked, attPts.value, quiz.checked, quizPts.value)
            "
            data-testid="new-classroom"
          >
            <h2>New classroom</h2>
            <label>Title <input #title required maxlength="200" data-testid="dl-title" value="Live class" /></label>
            <label>First class (optional) <input #when type="datetime-local" data-testid="dl-when" /></label>
            <label class="check"
              ><input #att type="checkbox" data-testid="dl-graded" /> Grade attendance, out of
              <input #attPts type="number" min="1" value="10" data-testid="dl-points" /> points</label
            >
            <label class="check"
              ><input #quiz type="checkbox" /> Grade quizzes, out of
              <input #quizPts type="number" min="1" value="10" /> points</label
            >
            <button class="btn" [disabled]="busy()" data-testid="dl-create">Add to the course</button>
          </form>
        </section>
        @if (v.classrooms.length) {
          <section class="card">
            <h2>Or use a classroom of this course</h2>
            <ul>
              @for (c of v.classrooms; track c.id) {
                <li>
                  <strong>{{ c.title }}</strong>
                  <span class="muted"
                    >{{ c.attendancePoints ? 'attendance out of ' + c.attendancePoints : 'not graded' }}
                    @if (c.scheduledFor) {
                      · {{ c.scheduledFor | date: 'medium' }}
                    }
                  </span>
                  <button class="btn quiet" [disabled]="busy()" (click)="pick(c.id)" data-testid="dl-pick">
                    Use this one
                  </button>
                </li>
              }
            </ul>
          </section>
        }
      }
      @if (sending()) {
        <p class="muted" data-testid="dl-sending">Returning to your course…</p>
      }
      @if (error(); as e) {
        <p class="card error" data-testid="dl-error">{{ e.message }}</p>
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

  async ngOnInit(): Promise<void> {
    try {
      this.view.set(await this.api.view());
    } catch (e) {
      this.error.set(toShownError(e));
    }
  }

  create(title: string, when: string, graded: boolean, points: string, quiz: boolean, quizPoints: string) {
    const choice: NewClassroomChoice = { title };
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
