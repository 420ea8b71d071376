import { LanguageService } from '../../../core/i18n/i18n';
import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { ClientEvents } from '@contracts/realtime';
import { TranslocoPipe, TranslocoService } from '@jsverse/transloco';
import { RoomSocket } from '../../../core/room-socket.service';

/**
 * What a student sees of the class's locks: which hold, and with microphones locked a way to ask to
 * unmute (asked, waiting; then allowed). The server and the SFU hold the locks; this only says so.
 */
@Component({
  selector: 'app-lock-notice',
  imports: [TranslocoPipe],
  template: `
    @if (locked().length) {
      <div class="locks" role="status" aria-live="polite" data-testid="lock-notice">
        <span>🔒 {{ 'control.lockedBy' | transloco: { what: lockedWords() } }}</span>
        @if (micLocked()) {
          @if (allowed()) {
            <span data-testid="unmute-allowed">{{ 'control.mayUnmute' | transloco }}</span>
          } @else if (asking()) {
            <span data-testid="unmute-asked">{{ 'control.askedUnmute' | transloco }}</span>
            <button class="btn quiet small" type="button" (click)="ask(false)" data-testid="unmute-cancel">
              {{ 'control.takeBack' | transloco }}
            </button>
          } @else {
            <button class="btn small" type="button" (click)="ask(true)" data-testid="ask-unmute">
              ✋ {{ 'control.askUnmute' | transloco }}
            </button>
          }
        }
      </div>
    }
  `,
  styles: `
    .locks {
      display: flex;
      flex-wrap: wrap;
      gap: 0.5rem;
      align-items: center;
      background: #eef2ff;
      border-radius: 10px;
      padding: 0.3rem 0.6rem;
      font-size: 0.9rem;
    }
    .small {
      padding: 0.2rem 0.5rem;
      font-size: 0.8rem;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class LockNoticeComponent {
  private readonly room = inject(RoomSocket);
  private readonly language = inject(LanguageService);
  private readonly me = computed(() => this.room.me()?.userId ?? '');
  protected readonly micLocked = computed(() => this.room.control().locks.mic);
  protected readonly locked = computed(() => {
    const l = this.room.control().locks;
    return [l.mic && 'microphones', l.camera && 'cameras', l.chat && 'chat', l.whiteboard && 'whiteboard'].filter(
      (x): x is string => Boolean(x),
    );
  });
  private readonly i18n = inject(TranslocoService);
  /** The locked things in words, joined as the language lists them ("microphones, cameras and chat"). */
  protected readonly lockedWords = computed(() =>
    new Intl.ListFormat(this.i18n.getActiveLang(), { type: 'conjunction' }).format(
      this.locked().map((k) => this.i18n.translate(`control.lockWord.${k}`)),
    ),
  );
  protected readonly asking = computed(() => this.room.control().unmuteRequests.includes(this.me()));
  protected readonly allowed = computed(() => this.room.control().unmuteAllowed.includes(this.me()));

  protected async ask(asking: boolean) {
    const ack = await this.room.emit(ClientEvents.askUnmute, { asking });
    if (ack.ok) this.room.control.set(ack.data);
    else this.room.notice.set(this.language.errorText(ack.error));
  }
}
