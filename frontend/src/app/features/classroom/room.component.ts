import {
  ChangeDetectionStrategy,
  Component,
  computed,
  effect,
  ElementRef,
  inject,
  input,
  OnDestroy,
  OnInit,
  signal,
  untracked,
  viewChild,
} from '@angular/core';
import { RouterLink } from '@angular/router';
import { ClientEvents, MAX_CHAT_LENGTH } from '@contracts/realtime';
import { TranslocoPipe, TranslocoService } from '@jsverse/transloco';
import { LanguageService, LocalTimePipe } from '../../core/i18n/i18n';
import { RoomSocket } from '../../core/room-socket.service';
import { LtiSession } from '../../core/lti-session.service';
import { inFrame, openPopout } from '../../core/popout';
import { Router } from '@angular/router';
import { WhiteboardComponent } from '../whiteboard/whiteboard.component';
import { MediaBarComponent } from '../media/media-bar.component';
import { MediaClient } from '../media/media-client';
import { exposeMediaDiagnostics } from '../media/media-diagnostics';
import { useMediaWords } from '../media/media-messages';
import { VideoTileComponent } from '../media/video-tile.component';
import { QuizPanelComponent } from '../quiz/quiz-panel.component';
import { AttendanceLiveComponent } from '../attendance/attendance-live.component';
import { LiveAttendance } from '../attendance/live-attendance.service';
import { VisibilityReporter } from '../attendance/visibility-reporter.service';
import { ClassEndedComponent } from './control/class-ended.component';
import { ConfirmDialogComponent, DialogChoice } from './control/confirm-dialog.component';
import { LockNoticeComponent } from './control/lock-notice.component';
import { TeacherControlsComponent } from './control/teacher-controls.component';
import { WaitingScreenComponent } from './control/waiting-screen.component';
import { RecordingIndicatorComponent } from '../recording/recording-indicator.component';

type Translate = (key: string) => string;
const END_CHOICES = (t: Translate): DialogChoice[] => [
  { value: 'cancel', label: t('common.cancel'), kind: 'quiet', testId: 'end-cancel' },
  { value: 'leave', label: t('room.leave'), kind: 'quiet', testId: 'end-leave' },
  { value: 'end', label: t('lobby.endForEveryone'), kind: 'danger', testId: 'end-for-everyone' },
];
const REMOVE_CHOICES = (t: Translate): DialogChoice[] => [
  { value: 'cancel', label: t('common.cancel'), kind: 'quiet', testId: 'remove-cancel' },
  { value: 'remove', label: t('room.remove'), kind: 'danger', testId: 'remove-confirm' },
];

/** The live classroom: video grid (SFU), participants (hands, teacher controls), whiteboard, chat, the connection state. */
@Component({
  selector: 'app-room',
  imports: [
    TranslocoPipe,
    LocalTimePipe,
    RouterLink,
    WhiteboardComponent,
    MediaBarComponent,
    VideoTileComponent,
    QuizPanelComponent,
    AttendanceLiveComponent,
    ClassEndedComponent,
    ConfirmDialogComponent,
    LockNoticeComponent,
    TeacherControlsComponent,
    WaitingScreenComponent,
    RecordingIndicatorComponent,
  ],
  providers: [RoomSocket, VisibilityReporter, LiveAttendance],
  templateUrl: './room.component.html',
  styleUrl: './room.component.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class RoomComponent implements OnInit, OnDestroy {
  readonly sessionId = input.required<string>();
  protected readonly room = inject(RoomSocket);
  private readonly session = inject(LtiSession);
  private readonly router = inject(Router);
  /** Made with the room: reports this page's visibility to the server (active time). */
  private readonly visibility = inject(VisibilityReporter);
  /** The instructor's view of who is here and who is inactive (page hidden). */
  protected readonly attendance = inject(LiveAttendance);
  /** Inside the LMS page: offer a window of its own (camera and microphone need it in some LMSs). */
  protected readonly framed = inFrame();
  protected readonly maxChat = MAX_CHAT_LENGTH;
  protected readonly panel = signal<'people' | 'chat'>('chat');
  protected readonly draft = signal('');
  /** The instructor's quiz panel (students see a launched quiz by themselves). */
  protected readonly quizOpen = signal(false);
  protected readonly canTeach = computed(() => this.room.me()?.canTeach ?? false);
  /** A guest by invite link: no lobby, no course pages; only this class. */
  protected readonly guest = this.session.guest;
  private readonly i18n = inject(TranslocoService);
  private readonly language = inject(LanguageService);
  private readonly t: Translate = (key) => this.i18n.translate(key);
  protected readonly endChoices = computed(() => (this.language.current(), END_CHOICES(this.t)));
  protected readonly removeChoices = computed(() => (this.language.current(), REMOVE_CHOICES(this.t)));
  protected readonly endAsked = signal(false);
  protected readonly removing = signal<{ userId: string; name: string } | null>(null);
  protected readonly myHand = computed(
    () => this.room.participants().find((p) => p.userId === this.room.me()?.userId)?.handRaised ?? false,
  );
  private readonly chatList = viewChild<ElementRef<HTMLElement>>('chatList');
  /** The SFU client, made at the first join (the socket exists then) and joined again after every rejoin. */
  protected readonly media = signal<MediaClient | null>(null);
  private hideDiagnostics = () => {};
  protected readonly names = computed(() => new Map(this.room.participants().map((p) => [p.userId, p.name])));
  /** Screen shares first (they are what the class looks at), then the speaker, then everyone. */
  protected readonly tiles = computed(() => {
    const m = this.media();
    if (!m) return [];
    const speaker = m.activeSpeaker();
    return [...m.tiles()].sort(
      (a, b) =>
        Number(!!b.screen) - Number(!!a.screen) ||
        Number(b.peerId === speaker) - Number(a.peerId === speaker) ||
        Number(b.self) - Number(a.self),
    );
  });

  constructor() {
    // The media code (outside DI) speaks the person's language too.
    useMediaWords((key, params) => this.i18n.translate(key, params));
    effect(() => {
      if (this.room.joins() === 0) return;
      untracked(() => {
        let m = this.media();
        if (!m) {
          m = new MediaClient(this.room, () => this.room.me()?.userId ?? null);
          this.media.set(m);
          this.hideDiagnostics = exposeMediaDiagnostics(m);
        }
        void m.start();
      });
    });
    effect(() => {
      if (this.room.ended() || this.room.fatal()) untracked(() => this.media()?.close());
    });
    effect(() => {
      this.room.chat();
      const el = this.chatList()?.nativeElement;
      if (el) queueMicrotask(() => (el.scrollTop = el.scrollHeight));
    });
  }

  ngOnInit(): void {
    this.room.connect(this.sessionId());
  }

  ngOnDestroy(): void {
    this.media()?.close();
    this.hideDiagnostics();
  }

  /** Moves the class to a window of its own, signed in; this frame goes back to the lobby. */
  protected popOut() {
    if (openPopout(this.session, `/room/${this.sessionId()}`)) {
      void this.router.navigateByUrl('/lobby', { state: { notice: this.i18n.translate('room.openInOwnWindow') } });
    } else {
      this.room.notice.set(this.i18n.translate('room.popupBlocked'));
    }
  }

  protected tileResized(peerId: string, height: number) {
    this.media()?.tileSize(peerId, height);
  }

  send(event: Event) {
    event.preventDefault();
    const text = this.draft().trim();
    if (!text) return;
    this.room.sendChat(text.slice(0, MAX_CHAT_LENGTH));
    this.draft.set('');
  }

  toggleHand() {
    void this.room.act(ClientEvents.hand, { raised: !this.myHand() });
  }

  mute(userId: string) {
    void this.room.act(ClientEvents.teacherMute, { userId });
  }

  stopCamera(userId: string) {
    void this.room.act(ClientEvents.teacherStopCamera, { userId });
  }

  /** Removing asks first: the person cannot come back to this class. */
  remove(userId: string, name: string) {
    this.removing.set({ userId, name });
  }

  protected removeChosen(choice: string) {
    const target = this.removing();
    this.removing.set(null);
    if (choice === 'remove' && target) void this.room.act(ClientEvents.teacherRemove, { userId: target.userId });
  }

  /** After *Cam off* the person's camera stays refused until this. */
  allowCamera(userId: string) {
    void this.room.act(ClientEvents.teacherAllowCamera, { userId });
  }

  protected cameraStopped(userId: string): boolean {
    return this.media()?.policy().cameraStopped.includes(userId) ?? false;
  }

  lowerHand(userId: string) {
    void this.room.act(ClientEvents.teacherLowerHand, { userId });
  }

  /** Leaves the class (it goes on for everyone else): back to the lobby. */
  protected leaveClass() {
    this.media()?.close();
    this.room.close();
    void this.router.navigateByUrl('/lobby');
  }

  deleteMessage(messageId: string) {
    void this.room.act(ClientEvents.chatDelete, { messageId });
  }

  /** *End class* asks first: leave (the class goes on) or end it for everyone. */
  endClass() {
    this.endAsked.set(true);
  }

  protected endChosen(choice: string) {
    this.endAsked.set(false);
    if (choice === 'end') void this.room.act(ClientEvents.teacherEndClass, {});
    else if (choice === 'leave') this.leaveClass();
  }

  initials(name: string) {
    return name
      .split(/\s+/)
      .map((w) => w[0])
      .join('')
      .slice(0, 2)
      .toUpperCase();
  }
}
