import {
  afterRenderEffect,
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  ElementRef,
  inject,
  input,
  OnInit,
  signal,
  viewChildren,
} from '@angular/core';
import { RouterLink } from '@angular/router';
import { TranslocoPipe } from '@jsverse/transloco';
import { ErrorNoticeComponent } from '../../core/error-notice.component';
import { LocalTimePipe } from '../../core/i18n/i18n';
import { ClassroomApi } from '../classroom/classroom-api.service';
import { Board, boardFromData } from '@whiteboard-domain/board';
import { ShownError, toShownError } from '../../core/api-error';
import { SavedBoard, SavedBoardsApi } from './saved-boards-api.service';
import { drawPage, prepareCanvas } from './board-render';
import { BreakoutRoomsComponent } from '../breakout/breakout-rooms.component';

/** The board of a past class, every page, read-only: for students to study after class. */
@Component({
  selector: 'app-saved-board',
  imports: [RouterLink, TranslocoPipe, LocalTimePipe, ErrorNoticeComponent, BreakoutRoomsComponent],
  template: `
    <main class="page">
      <p>
        <a routerLink="/lobby">← {{ 'common.backToLobby' | transloco }}</a>
      </p>
      @if (board(); as b) {
        <h1>{{ 'savedBoard.title' | transloco }}</h1>
        <p class="muted">
          {{ 'savedBoard.saved' | transloco: { when: b.savedAt | localTime: zone() } }} ·
          {{
            b.order.length === 1
              ? ('savedBoard.pagesOne' | transloco)
              : ('savedBoard.pagesMany' | transloco: { n: b.order.length })
          }}
        </p>
        @for (id of b.order; track id; let i = $index) {
          <section class="card">
            <h2>{{ 'savedBoard.page' | transloco: { n: i + 1 } }}</h2>
            <canvas
              #page
              class="board"
              role="img"
              [attr.aria-label]="'savedBoard.pageLabel' | transloco: { n: i + 1, count: elementsOn(id) }"
              [attr.data-page-id]="id"
              [attr.data-elements]="elementsOn(id)"
              data-testid="saved-page"
            ></canvas>
          </section>
        }
      } @else if (error(); as e) {
        <app-error-notice [error]="e" testId="saved-board-error" />
      }
      <app-breakout-rooms [sessionId]="sessionId()" [zone]="zone()" />
    </main>
  `,
  styles: `
    .page {
      max-width: 60rem;
      margin: 0 auto;
      padding: 1rem;
      display: grid;
      gap: 1rem;
    }
    .board {
      width: 100%;
      aspect-ratio: 16 / 10;
      background: #fff;
      border: 1px solid #e5e7eb;
      border-radius: 8px;
    }
    h2 {
      font-size: 1rem;
      margin: 0 0 0.4rem;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class SavedBoardComponent implements OnInit {
  readonly sessionId = input.required<string>();
  private readonly api = inject(SavedBoardsApi);
  protected readonly board = signal<SavedBoard | null>(null);
  /** The saved pages in Maps (own keys only): ids from the wire are data, never object keys. */
  private pages: Board['pages'] = new Map();
  protected readonly error = signal<ShownError | null>(null);
  /** The course's time zone (the saving time is shown in it); UTC until the lobby says. */
  protected readonly zone = signal('UTC');
  private readonly classroom = inject(ClassroomApi);
  private readonly canvases = viewChildren<ElementRef<HTMLCanvasElement>>('page');
  /** Bumped when a canvas changes size (rotation, window resize): its backing store is redrawn. */
  private readonly resizes = signal(0);

  constructor() {
    // The pages are drawn after Angular has rendered their canvases, and again when one changes size.
    // (An ngAfterViewChecked hook never ran here: with signals and OnPush, Angular refreshes only this
    // component's view when the board arrives, and a component's view hooks run from its parent's
    // refresh. Every saved page stayed a blank 300×150 canvas.)
    const observer = new ResizeObserver(() => this.resizes.update((n) => n + 1));
    inject(DestroyRef).onDestroy(() => observer.disconnect());
    const observed = new WeakSet<HTMLCanvasElement>();
    afterRenderEffect({
      write: () => {
        this.resizes();
        if (!this.board()) return;
        for (const ref of this.canvases()) {
          const c = ref.nativeElement;
          if (!observed.has(c)) {
            observed.add(c);
            observer.observe(c);
          }
          const drawn = prepareCanvas(c);
          if (drawn) drawPage(drawn.ctx, this.pages.get(c.dataset['pageId'] ?? ''), drawn.scale);
        }
      },
    });
  }

  async ngOnInit(): Promise<void> {
    void this.classroom.lobby().then(
      (l) => this.zone.set(l.course.timeZone),
      () => undefined,
    );
    try {
      const saved = await this.api.board(this.sessionId());
      const board = boardFromData({ seq: saved.seq, pageOrder: saved.order, pages: saved.pages });
      this.pages = board.pages;
      this.board.set({ ...saved, order: board.pageOrder });
    } catch (e) {
      this.error.set(toShownError(e));
    }
  }

  protected elementsOn(pageId: string): number {
    return this.pages.get(pageId)?.order.length ?? 0;
  }
}
