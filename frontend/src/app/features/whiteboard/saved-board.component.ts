import { DatePipe } from '@angular/common';
import {
  AfterViewChecked,
  ChangeDetectionStrategy,
  Component,
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
import { drawElement } from './whiteboard.component';

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
            <canvas #page class="board" [attr.data-page-id]="id" data-testid="saved-page"></canvas>
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
export class SavedBoardComponent implements OnInit, AfterViewChecked {
  readonly sessionId = input.required<string>();
  private readonly api = inject(SavedBoardsApi);
  protected readonly board = signal<SavedBoard | null>(null);
  /** The saved pages in Maps (own keys only): ids from the wire are data, never object keys. */
  private pages: Board['pages'] = new Map();
  protected readonly error = signal<ShownError | null>(null);
  private readonly canvases = viewChildren<ElementRef<HTMLCanvasElement>>('page');

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

  ngAfterViewChecked(): void {
    const b = this.board();
    if (!b) return;
    for (const ref of this.canvases()) {
      const c = ref.nativeElement;
      const page = this.pages.get(c.dataset['pageId'] ?? '');
      const dpr = window.devicePixelRatio || 1;
      c.width = Math.round(c.clientWidth * dpr);
      c.height = Math.round(c.clientHeight * dpr);
      const ctx = c.getContext('2d')!;
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.scale(c.clientWidth / 1600, c.clientWidth / 1600);
      if (page) for (const id of page.order) drawElement(ctx, page.elements.get(id));
    }
  }
}
