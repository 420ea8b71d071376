import { ChangeDetectionStrategy, Component, effect, inject, input, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import { TranslocoPipe } from '@jsverse/transloco';
import type { BreakoutRoomRecord } from '@contracts/breakout';
import { LocalTimePipe } from '../../core/i18n/i18n';
import { BreakoutApi } from './breakout-api.service';

/** After class: what each breakout room of the class left, its chat and a link to its board. */
@Component({
  selector: 'app-breakout-rooms',
  imports: [RouterLink, TranslocoPipe, LocalTimePipe],
  template: `
    @if (rooms().length) {
      <section class="card" data-testid="breakout-rooms-after">
        <h2>{{ 'breakout.afterTitle' | transloco }}</h2>
        @for (r of rooms(); track r.id) {
          <details [attr.data-room]="r.name">
            <summary>
              {{ r.name }} · {{ r.openedAt | localTime: zone() : 'time' }}
              @if (r.hasBoard) {
                ·
                <a [routerLink]="['/board', r.id]" data-testid="breakout-board-link">{{
                  'breakout.afterBoard' | transloco
                }}</a>
              }
            </summary>
            @if (r.chat.length) {
              <ol class="chat">
                @for (m of r.chat; track $index) {
                  <li>
                    <strong>{{ m.authorName }}</strong> <small>{{ m.at | localTime: zone() : 'time' }}</small>
                    {{ m.text }}
                  </li>
                }
              </ol>
            } @else {
              <p class="muted">{{ 'breakout.afterNoChat' | transloco }}</p>
            }
          </details>
        }
      </section>
    }
  `,
  styles: `
    .chat {
      list-style: none;
      padding: 0;
      display: grid;
      gap: 0.3rem;
    }
    summary {
      min-height: 44px;
      display: flex;
      align-items: center;
      gap: 0.3rem;
      flex-wrap: wrap;
      cursor: pointer;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class BreakoutRoomsComponent {
  readonly sessionId = input.required<string>();
  readonly zone = input('UTC');
  private readonly api = inject(BreakoutApi);
  protected readonly rooms = signal<BreakoutRoomRecord[]>([]);

  constructor() {
    effect(() => {
      const id = this.sessionId();
      this.api.rooms(id).then(
        (r) => this.rooms.set(r),
        () => this.rooms.set([]),
      );
    });
  }
}
