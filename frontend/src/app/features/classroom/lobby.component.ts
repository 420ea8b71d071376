import { ChangeDetectionStrategy, Component, computed, DestroyRef, inject, OnInit, signal } from '@angular/core';
import { Router, RouterLink } from '@angular/router';
import type { LobbyView } from '@contracts/api';
import { TranslocoPipe, TranslocoService } from '@jsverse/transloco';
import { appError, errorKey, ShownError, toShownError } from '../../core/api-error';
import { ErrorNoticeComponent } from '../../core/error-notice.component';
import { LanguageService, LocalTimePipe } from '../../core/i18n/i18n';
import { LtiSession } from '../../core/lti-session.service';
import { SavedBoardsApi, SavedBoardSummary } from '../whiteboard/saved-boards-api.service';
import { ClassroomApi } from './classroom-api.service';
import { RecordingSettingsComponent } from '../recording/recording-settings.component';
import { ConfirmDialogComponent, DialogChoice } from './control/confirm-dialog.component';

const END_CHOICES = (t: (key: string) => string): DialogChoice[] => [
  { value: 'cancel', label: t('common.cancel'), kind: 'quiet', testId: 'end-cancel' },
  { value: 'end', label: t('lobby.endForEveryone'), kind: 'danger', testId: 'end-for-everyone' },
];

/** How often a waiting student's lobby checks whether class has started (the live room issue replaces this with a push). */
const REFRESH_MS = 5000;

/** The classroom lobby: course, who I am, and whether a class is live (instructors start it here). */
@Component({
  selector: 'app-lobby',
  imports: [
    RouterLink,
    RecordingSettingsComponent,
    ConfirmDialogComponent,
    TranslocoPipe,
    LocalTimePipe,
    ErrorNoticeComponent,
  ],
  templateUrl: './lobby.component.html',
  styleUrl: './lobby.component.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class LobbyComponent implements OnInit {
  private readonly api = inject(ClassroomApi);
  private readonly router = inject(Router);
  private readonly session = inject(LtiSession);
  private readonly i18n = inject(TranslocoService);
  private readonly language = inject(LanguageService);
  protected readonly lobby = signal<LobbyView | null>(null);
  protected readonly error = signal<ShownError | null>(null);
  protected readonly busy = signal(false);
  /** Between a tap on Enter class and the room opening. */
  protected readonly entering = signal(false);
  /** Why the last tap on Enter class did not open the room, shown beside the button. */
  protected readonly enterError = signal<string | null>(null);
  /** A word from the page that sent us here (e.g. the class went to its own window). */
  protected readonly notice = signal<string | null>((history.state as { notice?: string } | null)?.notice ?? null);
  protected readonly boards = signal<SavedBoardSummary[]>([]);
  private readonly savedBoards = inject(SavedBoardsApi);

  constructor() {
    const timer = setInterval(() => void this.refresh(), REFRESH_MS);
    inject(DestroyRef).onDestroy(() => clearInterval(timer));
  }

  async ngOnInit(): Promise<void> {
    if (!this.session.token()) {
      this.error.set(appError('NO_SESSION'));
      return;
    }
    await this.refresh();
  }

  async refresh(): Promise<void> {
    if (!this.session.token() || this.busy() || this.entering()) return;
    try {
      this.lobby.set(await this.api.lobby());
      this.error.set(null);
      this.boards.set(await this.savedBoards.list());
    } catch (e) {
      this.error.set(toShownError(e));
    }
  }

  async startClass(): Promise<void> {
    await this.act(async () => {
      const { session } = await this.api.startClass();
      await this.router.navigate(['/room', session.id]);
    });
  }

  protected readonly endChoices = computed(() => {
    this.language.current();
    return END_CHOICES((k) => this.i18n.translate(k));
  });
  /** The class whose end was asked for (End class asks first). */
  protected readonly ending = signal<string | null>(null);

  protected endChosen(choice: string): void {
    const id = this.ending();
    this.ending.set(null);
    if (choice === 'end' && id) void this.endClass(id);
  }

  async endClass(id: string): Promise<void> {
    await this.act(async () => {
      await this.api.endClass(id);
      this.lobby.set(await this.api.lobby());
    });
  }

  /**
   * Enter class: one tap either opens the room or says why not. The button shows at once that it is
   * entering (a phone user who sees nothing taps again), and the lobby's timed refresh waits meanwhile.
   * The lobby is read again first: the one on screen can be up to a refresh old, and its button may still
   * point at a class that has ended since (the room then said only "This class has ended") or miss the
   * class that replaced it. A navigation that does not happen says so instead of leaving the lobby as it was.
   */
  async enter(): Promise<void> {
    if (this.entering()) return;
    this.entering.set(true);
    this.enterError.set(null);
    try {
      const fresh = await this.api.lobby();
      this.lobby.set(fresh);
      const live = fresh.liveSession;
      if (!live) {
        this.enterError.set(this.i18n.translate('lobby.enterEnded'));
        return;
      }
      const entered = await this.router.navigate(['/room', live.id]);
      if (!entered) this.enterError.set(this.i18n.translate('lobby.enterAgain'));
    } catch (e) {
      const shown = toShownError(e);
      const key = errorKey(shown);
      this.enterError.set(
        this.i18n.translate('lobby.enterFailed', { why: key ? this.i18n.translate(key) : shown.message }),
      );
    } finally {
      this.entering.set(false);
    }
  }

  private async act(fn: () => Promise<void>): Promise<void> {
    this.busy.set(true);
    try {
      await fn();
      this.error.set(null);
    } catch (e) {
      this.error.set(toShownError(e));
    } finally {
      this.busy.set(false);
    }
  }
}
