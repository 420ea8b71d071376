import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, DestroyRef, inject, OnInit, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import type { RosterView } from '@contracts/api';
import { ROLE_LABELS, ShownError, toShownError } from '../../core/api-error';
import { RosterApi } from './roster-api.service';

/** The course roster from the LMS (NRPS): who is enrolled, their LMS status, and who has never attended a class (from attendance, not launches). */
@Component({
  selector: 'app-roster',
  imports: [DatePipe, RouterLink],
  template: `
    <main class="page">
      <p><a routerLink="/lobby">← Lobby</a></p>
      <section class="card">
        <h1>Roster</h1>
        @if (roster(); as r) {
          <p class="muted" data-testid="roster-sync">
            @if (!r.rosterServiceOffered) {
              Your LMS has not offered its roster to Lectern: only people who launched are listed.
            } @else if (r.sync; as s) {
              Last sync: {{ s.status === 'ok' ? 'done' : s.status }} {{ s.finishedAt ?? s.startedAt | date: 'short' }}
              @if (s.status === 'ok') {
                — {{ s.members }} members over {{ s.pages }} pages
              }
              @if (s.error) {
                <span class="error">({{ s.error }})</span>
              }
            } @else {
              Not synced yet.
            }
          </p>
          <p class="summary">
            <span data-testid="roster-count">{{ active().length }}</span> active members ·
            <span data-testid="roster-never">{{ never().length }}</span> have never attended ·
            <span data-testid="roster-here">{{ here().length }}</span> in class now
          </p>
          <button class="btn quiet" data-testid="roster-sync-now" [disabled]="busy()" (click)="syncNow()">
            Sync now
          </button>
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Role</th>
                  <th>In the LMS</th>
                  <th>Last attended</th>
                  <th>Classes</th>
                  <th>Now</th>
                </tr>
              </thead>
              <tbody>
                @for (m of r.members; track m.subject) {
                  <tr [class.gone]="m.status !== 'active'">
                    <td>{{ m.name }}</td>
                    <td>{{ m.role ? roleLabels[m.role] : '—' }}</td>
                    <td>{{ m.status }}</td>
                    <td>{{ m.lastAttendedAt ? (m.lastAttendedAt | date: 'short') : 'never' }}</td>
                    <td>{{ m.classesAttended }}</td>
                    <td>{{ m.hereNow ? 'in class' : '' }}</td>
                  </tr>
                }
              </tbody>
            </table>
          </div>
        }
        @if (error(); as e) {
          <p class="error" data-testid="roster-error">{{ e.message }}</p>
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
    .table-wrap {
      overflow-x: auto;
      margin-top: 1rem;
    }
    table {
      border-collapse: collapse;
      width: 100%;
      font-size: 0.95rem;
    }
    th,
    td {
      text-align: left;
      padding: 0.4rem 0.5rem;
      border-bottom: 1px solid #e5e7eb;
      white-space: nowrap;
    }
    tr.gone td {
      color: var(--muted);
      text-decoration: line-through;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class RosterComponent implements OnInit {
  private readonly api = inject(RosterApi);
  protected readonly roster = signal<RosterView | null>(null);
  protected readonly error = signal<ShownError | null>(null);
  protected readonly busy = signal(false);
  protected readonly roleLabels = ROLE_LABELS;
  protected readonly active = computed(() => this.roster()?.members.filter((m) => m.status === 'active') ?? []);
  protected readonly never = computed(() => this.active().filter((m) => !m.lastAttendedAt));
  protected readonly here = computed(() => this.active().filter((m) => m.hereNow));

  constructor() {
    const timer = setInterval(() => {
      if (this.roster()?.sync?.status === 'running' || this.busy()) void this.load();
    }, 2000);
    inject(DestroyRef).onDestroy(() => clearInterval(timer));
  }

  ngOnInit(): Promise<void> {
    return this.load();
  }

  async load(): Promise<void> {
    try {
      const r = await this.api.roster();
      this.roster.set(r);
      if (r.sync?.status !== 'running') this.busy.set(false);
    } catch (e) {
      this.error.set(toShownError(e));
    }
  }

  async syncNow(): Promise<void> {
    this.busy.set(true);
    try {
      await this.api.sync();
    } catch (e) {
      this.error.set(toShownError(e));
      this.busy.set(false);
    }
  }
}
