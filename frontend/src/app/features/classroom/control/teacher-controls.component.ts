import { LanguageService } from '../../../core/i18n/i18n';
import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { ClientEvents, lockKinds, type LockKind, MAX_DENY_MESSAGE } from '@contracts/realtime';
import { TranslocoPipe, TranslocoService } from '@jsverse/transloco';
import { RoomSocket } from '../../../core/room-socket.service';
import { GuestLinksComponent } from './guest-links.component';

/**
 * The instructor's class control: who waits (let in, turn away, everyone), the waiting room switch, the
 * locks (held by the server and the SFU, not this page), requests to unmute (allow one or all), and the
 * guest links.
 */
@Component({
  selector: 'app-teacher-controls',
  imports: [GuestLinksComponent, TranslocoPipe],
  template: `
    <section class="control" [attr.aria-label]="'control.classControl' | transloco" data-testid="teacher-controls">
      @if (room.waitingList().length) {
        <div
          class="waiting"
          data-testid="waiting-list"
          role="region"
          [attr.aria-label]="'control.waitingToBeLetIn' | transloco"
        >
          <h3>
            {{ 'control.waiting' | transloco: { count: room.waitingList().length } }}
            <button class="btn small" type="button" (click)="admit(allWaiting())" data-testid="admit-all">
              {{ 'control.letEveryoneIn' | transloco }}
            </button>
          </h3>
          <label class="deny-message"
            >{{ 'control.denyMessage' | transloco }}
            <input
              [value]="denyMessage()"
              (input)="denyMessage.set($any($event.target).value)"
              [attr.maxlength]="maxDeny"
              [placeholder]="'control.denyPlaceholder' | transloco"
              data-testid="deny-message"
          /></label>
          <ul>
            @for (w of room.waitingList(); track w.userId) {
              <li [attr.data-waiting]="w.name">
                <span
                  >{{ w.name }}
                  @if (w.role === 'guest') {
                    <span class="badge guest">{{ 'roles.guest' | transloco }}</span>
                  }
                </span>
                <span class="actions">
                  <button class="btn small" type="button" (click)="admit([w.userId])" data-testid="admit">
                    {{ 'control.letIn' | transloco }}
                  </button>
                  <button class="btn quiet small" type="button" (click)="deny(w.userId)" data-testid="deny">
                    {{ 'control.turnAway' | transloco }}
                  </button>
                </span>
              </li>
            }
          </ul>
        </div>
      }
      @if (requests().length) {
        <div
          class="requests"
          data-testid="unmute-requests"
          role="region"
          [attr.aria-label]="'control.askingUnmute' | transloco"
        >
          <h3>
            {{ 'control.askingUnmuteCount' | transloco: { count: requests().length } }}
            <button class="btn small" type="button" (click)="allow(requestIds())" data-testid="allow-all-unmute">
              {{ 'control.allowAll' | transloco }}
            </button>
          </h3>
          <ul>
            @for (r of requests(); track r.userId) {
              <li [attr.data-asking]="r.name">
                <span>{{ r.name }}</span>
                <button class="btn small" type="button" (click)="allow([r.userId])" data-testid="allow-unmute">
                  {{ 'control.allow' | transloco }}
                </button>
              </li>
            }
          </ul>
        </div>
      }
      <details class="locks">
        <summary data-testid="locks-toggle">{{ 'control.locksAndWaiting' | transloco }}</summary>
        <fieldset>
          <legend>{{ 'control.lockForStudents' | transloco }}</legend>
          @for (k of kinds; track k) {
            <label>
              <input
                type="checkbox"
                [checked]="room.control().locks[k]"
                (change)="lock(k, $any($event.target).checked)"
                [attr.data-testid]="'lock-' + k"
              />
              {{ 'control.lockKind.' + k | transloco }}
            </label>
          }
        </fieldset>
        <label>
          <input
            type="checkbox"
            [checked]="room.control().waitingRoom"
            (change)="waitingRoom($any($event.target).checked)"
            data-testid="waiting-room-switch"
          />
          {{ 'control.waitingRoomSwitch' | transloco }}
        </label>
        <app-guest-links />
      </details>
    </section>
  `,
  styles: `
    .control h3 {
      font-size: 0.95rem;
      display: flex;
      gap: 0.5rem;
      align-items: center;
      justify-content: space-between;
      margin: 0.5rem 0;
    }
    ul {
      list-style: none;
      padding: 0;
      margin: 0 0 0.5rem;
    }
    li {
      display: flex;
      justify-content: space-between;
      gap: 0.5rem;
      padding: 0.2rem 0;
    }
    .small {
      padding: 0.2rem 0.5rem;
      font-size: 0.8rem;
    }
    .badge.guest {
      background: #fef3c7;
      color: #92400e;
      border-radius: 6px;
      padding: 0 0.3rem;
      font-size: 0.75rem;
    }
    .deny-message {
      display: grid;
      font-size: 0.8rem;
      margin-bottom: 0.3rem;
    }
    fieldset {
      border: 0;
      padding: 0;
      margin: 0.4rem 0;
      display: flex;
      flex-wrap: wrap;
      gap: 0.3rem 0.9rem;
    }
    .waiting,
    .requests {
      background: #fffbeb;
      border-radius: 10px;
      padding: 0.3rem 0.6rem;
      margin-bottom: 0.5rem;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class TeacherControlsComponent {
  protected readonly room = inject(RoomSocket);
  private readonly language = inject(LanguageService);
  protected readonly kinds = lockKinds;
  protected readonly maxDeny = MAX_DENY_MESSAGE;
  protected readonly denyMessage = signal('');
  private readonly i18n = inject(TranslocoService);
  protected readonly allWaiting = computed(() => this.room.waitingList().map((w) => w.userId));
  protected readonly requests = computed(() => {
    const names = new Map(this.room.participants().map((p) => [p.userId, p.name]));
    return this.room
      .control()
      .unmuteRequests.map((userId) => ({ userId, name: names.get(userId) ?? this.i18n.translate('control.someone') }));
  });
  protected readonly requestIds = computed(() => this.requests().map((r) => r.userId));

  protected admit(userIds: string[]) {
    if (userIds.length) void this.room.act(ClientEvents.teacherAdmit, { userIds });
  }

  protected deny(userId: string) {
    const message = this.denyMessage().trim();
    void this.room.act(ClientEvents.teacherDeny, { userId, ...(message ? { message } : {}) });
  }

  protected async lock(kind: LockKind, locked: boolean) {
    const ack = await this.room.emit(ClientEvents.teacherLocks, { [kind]: locked });
    if (ack.ok) this.room.control.set(ack.data);
    else this.room.notice.set(this.language.errorText(ack.error));
  }

  protected async waitingRoom(enabled: boolean) {
    const ack = await this.room.emit(ClientEvents.teacherWaitingRoom, { enabled });
    if (ack.ok) this.room.control.set(ack.data);
    else this.room.notice.set(this.language.errorText(ack.error));
  }

  protected allow(userIds: string[]) {
    if (userIds.length) void this.room.act(ClientEvents.teacherAllowUnmute, { userIds });
  }
}
