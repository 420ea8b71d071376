import { TranslocoService } from '@jsverse/transloco';
import { LanguageService } from '../../core/i18n/i18n';
import { computed, DestroyRef, effect, inject, Injectable, signal, untracked } from '@angular/core';
import type { LiveAttendance as LiveAttendanceView } from '@contracts/attendance';
import { RoomSocket } from '../../core/room-socket.service';
import { AttendanceApi } from './attendance-api.service';
import { liveState, liveSummary, type LiveState } from './attendance-view';

/** How often the instructor's view of the class asks who is here and who is inactive. */
const REFRESH_MS = 4000;

/**
 * The instructor's view of attendance during class: who is here, who is in the room with the page hidden
 * (inactive), who left or never came, read from the server (which keeps the truth) every few seconds while
 * the instructor is in the connected room. Students never ask. One per room (provided by the room).
 */
@Injectable()
export class LiveAttendance {
  private readonly room = inject(RoomSocket);
  private readonly api = inject(AttendanceApi);
  readonly view = signal<LiveAttendanceView | null>(null);
  readonly error = signal<string | null>(null);
  readonly students = computed(() => [...(this.view()?.students ?? [])].sort((a, b) => a.name.localeCompare(b.name)));
  private readonly i18n = inject(TranslocoService);
  private readonly language = inject(LanguageService);
  readonly summary = computed(() => {
    this.language.current();
    return liveSummary(this.students(), (key, params) => this.i18n.translate(key, params));
  });
  readonly inactiveCount = computed(() => this.students().filter((s) => liveState(s) === 'inactive').length);
  private readonly states = computed(
    () => new Map<string, LiveState>(this.students().map((s) => [s.userId, liveState(s)])),
  );
  private timer?: ReturnType<typeof setInterval>;
  private busy = false;

  constructor() {
    effect(() => {
      const watching = (this.room.me()?.canTeach ?? false) && this.room.connection() === 'connected';
      untracked(() => (watching ? this.start() : this.stop()));
    });
    inject(DestroyRef).onDestroy(() => this.stop());
  }

  /** A student's state now (undefined: not known yet, or not a student). */
  state(userId: string): LiveState | undefined {
    return this.states().get(userId);
  }

  async refresh(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      this.view.set(await this.api.live());
      this.error.set(null);
    } catch {
      // The class goes on: the last view stays, marked as not current.
      this.error.set('roomNotices.attendanceStale');
    } finally {
      this.busy = false;
    }
  }

  private start() {
    if (this.timer) return;
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), REFRESH_MS);
  }

  private stop() {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
