import { CdkDrag, CdkDragDrop, CdkDropList, CdkDropListGroup } from '@angular/cdk/drag-drop';
import { ChangeDetectionStrategy, Component, computed, inject, OnInit, output, signal } from '@angular/core';
import { TranslocoPipe, TranslocoService } from '@jsverse/transloco';
import { BreakoutEvents, type BreakoutPerson, type BreakoutPlanView } from '@contracts/breakout';
import { RoomSocket } from '../../core/room-socket.service';
import { BreakoutApi } from './breakout-api.service';
import { BreakoutLive } from './breakout-live.service';
import { unplaced } from './breakout-view';

type Mode = 'random' | 'hand' | 'plan';
/** The main room's column in the drag and drop (a room id otherwise). */
const MAIN = 'main';

/**
 * The instructor's breakout panel. Before a split: how many rooms, random (optionally keeping chosen
 * students apart), by hand (drag students into rooms), or a saved plan; a timer and whether each room's
 * board starts with the current page. During: a card per room (drag a student to another room or back),
 * visit, help requests, a note to every room, the timer, save as a plan, recall everyone.
 */
@Component({
  selector: 'app-breakout-panel',
  imports: [TranslocoPipe, CdkDropListGroup, CdkDropList, CdkDrag],
  templateUrl: './breakout-panel.component.html',
  styleUrl: './breakout-panel.component.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class BreakoutPanelComponent implements OnInit {
  readonly closed = output<void>();
  protected readonly live = inject(BreakoutLive);
  protected readonly room = inject(RoomSocket);
  private readonly api = inject(BreakoutApi);
  private readonly i18n = inject(TranslocoService);
  protected readonly MAIN = MAIN;

  protected readonly mode = signal<Mode>('random');
  protected readonly roomCount = signal(2);
  protected readonly minutes = signal<number | null>(10);
  protected readonly copyBoard = signal(false);
  protected readonly apart = signal<ReadonlySet<string>>(new Set());
  protected readonly plans = signal<BreakoutPlanView[]>([]);
  protected readonly planId = signal<string | null>(null);
  protected readonly noteDraft = signal('');
  protected readonly planName = signal('');
  /** By hand before the split: the students dropped in each room (by index). */
  protected readonly draft = signal<BreakoutPerson[][]>([[], []]);

  protected readonly students = computed(() => unplaced({ ...this.live.state(), rooms: [] }, this.room.participants()));
  protected readonly mainRoom = computed(() => {
    if (this.live.state().active) return unplaced(this.live.state(), this.room.participants());
    const drafted = new Set(this.draft().flatMap((r) => r.map((p) => p.userId)));
    return this.students().filter((p) => !drafted.has(p.userId));
  });
  protected readonly here = computed(() => this.room.breakoutRoom()?.id ?? null);

  ngOnInit(): void {
    this.api
      .plans()
      .then((p) => this.plans.set(p))
      .catch(() => undefined);
  }

  protected setRoomCount(n: number): void {
    const count = Math.max(1, Math.min(50, Math.round(n) || 1));
    this.roomCount.set(count);
    this.draft.update((d) => Array.from({ length: count }, (_, i) => d[i] ?? []));
  }

  protected toggleApart(userId: string, on: boolean): void {
    this.apart.update((s) => {
      const next = new Set(s);
      if (on) next.add(userId);
      else next.delete(userId);
      return next;
    });
  }

  protected roomName(i: number): string {
    return this.i18n.translate('breakout.roomN', { n: i + 1 });
  }

  protected async open(): Promise<void> {
    const durationSeconds = this.minutes() ? Math.round(this.minutes()! * 60) : null;
    const common = { durationSeconds, copyBoard: this.copyBoard() };
    const mode = this.mode();
    if (mode === 'random') {
      const keepApart = this.apart().size >= 2 ? [[...this.apart()]] : [];
      const names = Array.from({ length: this.roomCount() }, (_, i) => this.roomName(i));
      await this.live.act(BreakoutEvents.open, { mode, rooms: this.roomCount(), keepApart, names, ...common });
    } else if (mode === 'hand') {
      const rooms = this.draft().map((r, i) => ({ name: this.roomName(i), userIds: r.map((p) => p.userId) }));
      if (await this.live.act(BreakoutEvents.open, { mode, rooms, ...common })) this.draft.set([[], []]);
    } else if (this.planId()) {
      await this.live.act(BreakoutEvents.open, { mode, planId: this.planId()!, ...common });
    }
  }

  /** A student dropped on a room card (or the main room): before the split it edits the draft; during, it moves them. */
  protected async dropped(e: CdkDragDrop<string>): Promise<void> {
    const person = e.item.data as BreakoutPerson;
    const to = e.container.data;
    if (e.previousContainer === e.container) return;
    if (this.live.state().active) {
      await this.live.act(BreakoutEvents.move, { userId: person.userId, roomId: to === MAIN ? null : to });
      return;
    }
    this.draft.update((d) =>
      d.map((r, i) => {
        const without = r.filter((p) => p.userId !== person.userId);
        return String(i) === to ? [...without, person] : without;
      }),
    );
  }

  /** Keyboard and screen readers: the same move as a drag, from a menu. */
  protected async moveTo(person: BreakoutPerson, to: string): Promise<void> {
    if (this.live.state().active) {
      await this.live.act(BreakoutEvents.move, { userId: person.userId, roomId: to === MAIN ? null : to });
      return;
    }
    this.draft.update((d) =>
      d.map((r, i) => {
        const without = r.filter((p) => p.userId !== person.userId);
        return String(i) === to ? [...without, person] : without;
      }),
    );
  }

  protected async broadcast(e: Event): Promise<void> {
    e.preventDefault();
    const text = this.noteDraft().trim();
    if (text && (await this.live.act(BreakoutEvents.broadcast, { text }))) this.noteDraft.set('');
  }

  protected async setTimer(): Promise<void> {
    const m = this.minutes();
    await this.live.act(BreakoutEvents.timer, { durationSeconds: m ? Math.round(m * 60) : null });
  }

  protected async recall(): Promise<void> {
    if (await this.live.act(BreakoutEvents.recall, {})) await this.live.go(null);
  }

  protected async savePlan(e: Event): Promise<void> {
    e.preventDefault();
    const name = this.planName().trim();
    if (!name) return;
    const rooms = this.live.state().rooms.map((r) => ({ name: r.name, userIds: r.students.map((p) => p.userId) }));
    try {
      const saved = await this.api.savePlan({ name, rooms });
      this.plans.update((l) => [saved, ...l]);
      this.planName.set('');
      this.room.notice.set(this.i18n.translate('breakout.planSaved', { name }));
    } catch {
      this.room.notice.set(this.i18n.translate('breakout.planNotSaved'));
    }
  }

  protected helpIn(roomId: string): number {
    return this.live.help().filter((h) => h.roomId === roomId).length;
  }
}
