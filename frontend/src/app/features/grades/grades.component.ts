import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, DestroyRef, inject, OnInit, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import type { GradebookView } from '@contracts/api';
import { ShownError, toShownError } from '../../core/api-error';
import { GradesApi } from './grades-api.service';

/** Attendance grades of this classroom and whether each reached the LMS gradebook. */
@Component({
  selector: 'app-grades',
  imports: [DatePipe, RouterLink],
  template: `
    <main class="page">
      <p><a routerLink="/lobby">← Lobby</a></p>
      <section class="card">
        <h1>Grades</h1>
        @if (book(); as b) {
          <form class="points" (submit)="$event.preventDefault(); setPoints(pts.value)">
            <label
              >Attendance is graded out of
              <input
                #pts
                type="number"
                min="1"
                step="any"
                [value]="b.attendancePoints ?? ''"
                placeholder="not graded"
                data-testid="attendance-points"
              />
              points</label
            >
            <button class="btn quiet" data-testid="save-points">Save</button>
          </form>
          @if (!b.agsOffered) {
            <p class="muted">Your LMS has not offered its gradebook to Lectern yet: grades wait until it does.</p>
          }
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>Student</th>
                  <th>Attendance</th>
                  <th>In the LMS</th>
                </tr>
              </thead>
              <tbody>
                @for (s of b.students; track s.subject) {
                  <tr [attr.data-student]="s.subject">
                    <td>{{ s.name }}</td>
                    <td>
                      <form (submit)="$event.preventDefault(); save(s.subject, score.value)">
                        <input
                          #score
                          type="number"
                          min="0"
                          [max]="b.attendancePoints ?? 0"
                          step="any"
                          [value]="s.attendance?.scoreGiven ?? ''"
                          [disabled]="!b.attendancePoints"
                          data-testid="score-input"
                        />
                        <button class="btn quiet small" [disabled]="!b.attendancePoints" data-testid="score-save">
                          Save
                        </button>
                      </form>
                    </td>
                    <td data-testid="grade-status">
                      @if (s.attendance; as a) {
                        @switch (a.status) {
                          @case ('sent') {
                            <span class="ok">✓ in the gradebook</span>
                            <small class="muted">{{ a.sentAt | date: 'short' }}</small>
                          }
                          @case ('pending') {
                            <span class="wait">waiting to post</span>
                            @if (a.lastError) {
                              <small class="muted"> (try {{ a.attempts }}: {{ a.lastError }})</small>
                            }
                          }
                          @case ('failed') {
                            <span class="error">not posted: {{ a.lastError }}</span>
                            <button class="btn quiet small" data-testid="grade-retry" (click)="retry(a.outboxId)">
                              Retry
                            </button>
                          }
                        }
                      } @else {
                        <span class="muted">—</span>
                      }
                    </td>
                  </tr>
                }
              </tbody>
            </table>
          </div>
        }
        @if (error(); as e) {
          <p class="error" data-testid="grades-error">{{ e.message }}</p>
        }
      </section>
    </main>
  `,
  styles: `
    .page {
      max-width: 56rem;
      margin: 0 auto;
      padding: 1rem;
    }
    .points input {
      width: 6rem;
      margin: 0 0.3rem;
    }
    .table-wrap {
      overflow-x: auto;
      margin-top: 1rem;
    }
    table {
      border-collapse: collapse;
      width: 100%;
    }
    th,
    td {
      text-align: left;
      padding: 0.4rem 0.5rem;
      border-bottom: 1px solid #e5e7eb;
    }
    td form {
      display: flex;
      gap: 0.3rem;
    }
    td input {
      width: 5rem;
    }
    .btn.small {
      padding: 0.3rem 0.6rem;
      min-height: 32px;
      font-size: 0.9rem;
    }
    .ok {
      color: var(--ok);
    }
    .wait {
      color: #b45309;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class GradesComponent implements OnInit {
  private readonly api = inject(GradesApi);
  protected readonly book = signal<GradebookView | null>(null);
  protected readonly error = signal<ShownError | null>(null);

  constructor() {
    const timer = setInterval(() => {
      if (this.book()?.students.some((s) => s.attendance?.status === 'pending')) void this.load();
    }, 2000);
    inject(DestroyRef).onDestroy(() => clearInterval(timer));
  }

  ngOnInit(): Promise<void> {
    return this.load();
  }

  async load(): Promise<void> {
    try {
      this.book.set(await this.api.gradebook());
      this.error.set(null);
    } catch (e) {
      this.error.set(toShownError(e));
    }
  }

  private async act(fn: () => Promise<unknown>) {
    try {
      await fn();
      await this.load();
    } catch (e) {
      this.error.set(toShownError(e));
    }
  }

  setPoints(value: string) {
    const n = value.trim() === '' ? null : Number(value);
    return this.act(() => this.api.setAttendancePoints(n));
  }

  save(subject: string, value: string) {
    return this.act(() => this.api.setAttendanceScore(subject, Number(value)));
  }

  retry(outboxId: string) {
    return this.act(() => this.api.retry(outboxId));
  }
}
