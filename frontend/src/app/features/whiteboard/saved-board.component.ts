import { DatePipe } from '@angular/common';
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
import { Board, boardFromData } from '@whiteboard-domain/board';
import { ShownError, toShownError } from '../../core/api-error';
import { SavedBoard, SavedBoardsApi } from './saved-boards-api.service';
import { drawPage, prepareCanvas } from './board-render';

/** The board of a past class, every page, read-only: for students to study after class. */
@Component({
  selector: 'app-saved-board',
  imports: [DatePipe, RouterLink],
  template: `
    <main class="page">
      <p><a routerLink="/lobby">← Lobby</a></p>
      @if (board(); as b) {
        <h1>Board of the class</h1>
        <p class="muted">Saved {{ b.savedAt | date: 'medium' }} · {{ b.order.length }} page(s)</p>
        @for (id of b.order; track id; let i = $index) {
          <section class="card">
            <h2>Page {{ i + 1 }}</h2>
            <canvas
              #page
              class="board"
              role="img"
              [attr.aria-label]="'Page ' + (i + 1) + ' of the board, ' + elementsOn(id) + ' drawn element(s)'"
              [attr.data-page-id]="id"
              [attr.data-elements]="elementsOn(id)"
              data-testid="saved-page"
            ></canvas>
          </section>
        }
      } @else if (error(); as e) {
        <p class="card error">{{ e.message }}</p>
      }
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
