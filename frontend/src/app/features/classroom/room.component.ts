import { Dialog } from '@angular/cdk/dialog';
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
import { NgIcon } from '@ng-icons/core';
import { RouterLink } from '@angular/router';
import { ClientEvents, MAX_CHAT_LENGTH } from '@contracts/realtime';
import { TranslocoPipe, TranslocoService } from '@jsverse/transloco';
import { LanguageService, LocalTimePipe } from '../../core/i18n/i18n';
import { RoomSocket } from '../../core/room-socket.service';
import { LtiSession } from '../../core/lti-session.service';
import { inFrame, openPopout } from '../../core/popout';
import { safeStorage } from '../../core/safe-storage';
import { Router } from '@angular/router';
import { WhiteboardComponent } from '../whiteboard/whiteboard.component';
import { MediaBarComponent } from '../media/media-bar.component';
import { MediaClient } from '../media/media-client';
import { BigLecture } from '../media/big-lecture';
import { HlsPlayerComponent } from '../media/hls-player.component';
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
import { spotlight } from '../media/spotlight';
import { HandNotices } from './hand-notices';
import { provideRoomIcons } from './room-icons';
import { BreakoutComponent } from '../breakout/breakout.component';
import { isTextField, shortcutFor } from './room-shortcuts';
import { ShortcutsHelpComponent } from './shortcuts-help.component';

/** Where the room is laid out for a phone: one column, one panel at a time (board, people or chat). */
const PHONE_QUERY = '(max-width: 720px)';
const LAYOUT_KEY = 'lectern.videoLayout';

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
    HlsPlayerComponent,
    QuizPanelComponent,
    BreakoutComponent,
    AttendanceLiveComponent,
    ClassEndedComponent,
    ConfirmDialogComponent,
    LockNoticeComponent,
    TeacherControlsComponent,
    WaitingScreenComponent,
    RecordingIndicatorComponent,
    NgIcon,
  ],
  providers: [RoomSocket, VisibilityReporter, LiveAttendance, provideRoomIcons()],
  host: { '(document:keydown)': 'shortcut($event)' },
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
  /** A phone shows one panel under the video (the board first); a laptop shows the board and one side panel. */
  protected readonly phone = signal(window.matchMedia?.(PHONE_QUERY).matches ?? false);
  protected readonly panel = signal<'board' | 'people' | 'chat'>(this.phone() ? 'board' : 'chat');
  /** The side panel on a laptop (the board is always shown there). */
  protected readonly sidePanel = computed(() => (this.panel() === 'people' ? 'people' : 'chat'));
  /** The tile the person tapped to keep large (its peer id). */
  protected readonly pinned = signal<string | null>(null);
  /** Speaker view (one large tile and a filmstrip) or grid view (everyone the same size, the teacher first); kept for the tab. */
  protected readonly layout = signal<'speaker' | 'grid'>(
    safeStorage.get(LAYOUT_KEY, 'session') === 'grid' ? 'grid' : 'speaker',
  );
  /** Chat messages that arrived while the chat panel was not shown (a badge on its tab). */
  protected readonly unread = signal(0);
  private readonly dialog = inject(Dialog);
  private readonly whiteboard = viewChild(WhiteboardComponent);
  /** Raised hands the instructor has not seen yet (a toast and a short sound). */
  protected readonly hands = new HandNotices();
  protected readonly draft = signal('');
  /** The instructor's quiz panel (students see a launched quiz by themselves). */
  protected readonly quizOpen = signal(false);
  /** The instructor's breakout rooms panel. */
  protected readonly breakoutOpen = signal(false);
  protected readonly canTeach = computed(() => this.room.me()?.canTeach ?? false);
  /** An LMS observer (a parent, a mentor; an empty roles claim): watches and reads, sends nothing into the class. */
  protected readonly observer = computed(() => this.room.me()?.role === 'observer');
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
  /** Big lectures: our path, the counts for instructors (made at the first join). */
  protected readonly lecture = signal<BigLecture | null>(null);
  /** Set while we watch the class's HLS broadcast instead of joining WebRTC. */
  protected readonly broadcastUrl = signal<string | null>(null);
  /** For a while after the instructor let us speak: says so (we are on video now, unmute to be heard). */
  protected readonly promotedNote = signal(false);
  private hideDiagnostics = () => {};
  protected readonly names = computed(() => new Map(this.room.participants().map((p) => [p.userId, p.name])));
  /** The large tile (pinned, a screen share, the teacher, the speaker) and the filmstrip of everyone else. */
  protected readonly stage = computed(() => {
    const m = this.media();
    if (!m) return { featured: null, others: [] };
    const teachers = new Set(
      this.room
        .participants()
        .filter((p) => p.role !== 'learner')
        .map((p) => p.userId),
    );
    return spotlight({ tiles: m.tiles(), pinned: this.pinned(), activeSpeaker: m.activeSpeaker(), teachers });
  });

  /** Grid view: every tile the same size, in the spotlight's order (the featured one, the teacher, first). */
  protected readonly gallery = computed(() => {
    const s = this.stage();
    return s.featured ? [s.featured, ...s.others] : s.others;
  });

  constructor() {
    // The media code (outside DI) speaks the person's language too.
    useMediaWords((key, params) => this.i18n.translate(key, params));
    effect(() => {
      if (this.room.joins() === 0) return;
      untracked(() => void this.joinMedia());
    });
    // The instructor let this HLS viewer speak: onto WebRTC now.
    effect(() => {
      if (!this.lecture()?.promotedAt()) return;
      untracked(() => {
        void this.joinMedia();
        this.promotedNote.set(true);
        setTimeout(() => this.promotedNote.set(false), 15_000);
      });
    });
    effect(() => {
      if (this.room.ended() || this.room.fatal())
        untracked(() => {
          this.media()?.close();
          this.broadcastUrl.set(null);
        });
    });
    // Moved to a breakout room or back: that room's media (what this person was sending goes with them).
    effect(() => {
      if (this.room.moves() === 0) return;
      untracked(() => void this.media()?.rejoin());
    });
    effect(() => {
      this.room.chat();
      const el = this.chatList()?.nativeElement;
      if (el) queueMicrotask(() => (el.scrollTop = el.scrollHeight));
    });
    // New chat messages while the chat is not on screen: counted on its tab.
    let seen = 0;
    effect(() => {
      const count = this.room.chat().length;
      const showing = this.panel() === 'chat' || (!this.phone() && this.sidePanel() === 'chat');
      untracked(() => {
        if (showing || count < seen) this.unread.set(0);
        else this.unread.update((n) => n + count - seen);
        seen = count;
      });
    });
    // An instructor notices a hand going up: a toast and a short sound.
    effect(() => {
      const people = this.room.participants();
      if (untracked(() => this.canTeach())) untracked(() => this.hands.see(people));
    });
    const query = window.matchMedia?.(PHONE_QUERY);
    const onQuery = (e: MediaQueryListEvent) => this.phone.set(e.matches);
    query?.addEventListener('change', onQuery);
    this.unsubscribeQuery = () => query?.removeEventListener('change', onQuery);
  }

  private unsubscribeQuery = () => {};

  /**
   * After every (re)join: asks where our media goes. WebRTC: the SFU client joins (made once). HLS (a busy
   * class, a passive joiner): the broadcast plays instead and no WebRTC seat is taken.
   */
  private async joinMedia(): Promise<void> {
    let lecture = this.lecture();
    if (!lecture) {
      lecture = new BigLecture(this.room);
      this.lecture.set(lecture);
    }
    if (this.canTeach()) void lecture.refreshPaths();
    const route = await lecture.decide();
    if (route.path === 'hls') {
      this.media()?.close();
      this.media.set(null);
      this.broadcastUrl.set(route.playlistUrl);
      return;
    }
    this.broadcastUrl.set(null);
    let m = this.media();
    if (!m) {
      m = new MediaClient(this.room, () => this.room.me()?.userId ?? null);
      this.media.set(m);
      this.hideDiagnostics = exposeMediaDiagnostics(m);
    }
    void m.start();
  }

  /** Instructors: lets an HLS viewer who asked to speak onto WebRTC. */
  protected letSpeak(userId: string): void {
    void this.lecture()?.promote(userId);
  }

  /** Tapping a small tile makes it the large one; tapping the large one again lets the room choose. */
  protected pin(peerId: string) {
    this.pinned.set(this.pinned() === peerId ? null : peerId);
  }

  protected setLayout(layout: 'speaker' | 'grid') {
    this.layout.set(layout);
    safeStorage.set(LAYOUT_KEY, layout, 'session');
  }

  /** In the grid, tapping a tile enlarges it: speaker view with that tile pinned. */
  protected enlarge(peerId: string) {
    this.pinned.set(peerId);
    this.setLayout('speaker');
  }

  /** The large tile fills the screen (the LMS frame allows fullscreen; Escape comes back). */
  protected fullscreen(el: HTMLElement) {
    if (document.fullscreenElement) void document.exitFullscreen();
    else void el.requestFullscreen?.().catch(() => this.room.notice.set(this.i18n.translate('room.noFullscreen')));
  }

  /** Arrow keys, Home and End move between the tabs (the WAI-ARIA tabs pattern). */
  protected tabKey(ev: KeyboardEvent) {
    const order: Array<'board' | 'people' | 'chat'> = this.phone() ? ['board', 'people', 'chat'] : ['people', 'chat'];
    const at = order.indexOf(this.phone() ? this.panel() : this.sidePanel());
    const to =
      ev.key === 'ArrowRight'
        ? (at + 1) % order.length
        : ev.key === 'ArrowLeft'
          ? (at + order.length - 1) % order.length
          : ev.key === 'Home'
            ? 0
            : ev.key === 'End'
              ? order.length - 1
              : -1;
    if (to < 0) return;
    ev.preventDefault();
    this.panel.set(order[to]);
    setTimeout(() => document.getElementById(`tab-${order[to]}`)?.focus());
  }

  protected showShortcuts() {
    if (this.dialog.openDialogs.length) return;
    this.dialog.open(ShortcutsHelpComponent, { ariaLabelledBy: 'shortcuts-title', autoFocus: 'first-tabbable' });
  }

  /** Keyboard shortcuts as Meet and BigBlueButton users expect them (listed by ?). */
  protected shortcut(ev: KeyboardEvent) {
    if (ev.defaultPrevented || ev.repeat) return;
    const action = shortcutFor({
      key: ev.key,
      code: ev.code,
      ctrlKey: ev.ctrlKey,
      metaKey: ev.metaKey,
      altKey: ev.altKey,
      shiftKey: ev.shiftKey,
      typing: isTextField(document.activeElement),
    });
    if (!action || this.room.connection() !== 'connected') return;
    const m = this.media();
    switch (action) {
      case 'mic':
      case 'camera':
        if (!m || this.observer()) return;
        void m.toggle(action);
        break;
      case 'hand':
        if (this.canTeach() || this.observer()) return;
        this.toggleHand();
        break;
      case 'undo':
      case 'redo':
        if (!this.whiteboard()?.mayDraw()) return;
        if (action === 'undo') this.whiteboard()?.undo();
        else this.whiteboard()?.redo();
        break;
      case 'help':
        this.showShortcuts();
        break;
    }
    ev.preventDefault();
  }

  ngOnInit(): void {
    this.room.connect(this.sessionId());
  }

  ngOnDestroy(): void {
    this.unsubscribeQuery();
    this.hands.close();
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
