import {
  afterNextRender,
  ChangeDetectionStrategy,
  Component,
  computed,
  DestroyRef,
  effect,
  ElementRef,
  inject,
  input,
  OnDestroy,
  signal,
  untracked,
  viewChild,
} from '@angular/core';
import { TranslocoPipe, TranslocoService } from '@jsverse/transloco';
import { NgIcon } from '@ng-icons/core';
import { LanguageService } from '../../core/i18n/i18n';
import { BoardElement, Point } from '@contracts/whiteboard';
import type { StoredElement } from '@whiteboard-domain/board';
import { boundsOf, elementAt, PointerPolicy } from '@whiteboard-domain/geometry';
import { RoomSocket } from '../../core/room-socket.service';
import { BOARD_WIDTH, drawElement } from './board-render';
import { WhiteboardClient } from './whiteboard-client';

type Tool = 'select' | 'pen' | 'highlighter' | 'eraser' | 'line' | 'arrow' | 'rectangle' | 'ellipse' | 'text';
const COLOURS = [
  { value: '#111827', name: 'black' },
  { value: '#dc2626', name: 'red' },
  { value: '#2563eb', name: 'blue' },
  { value: '#16a34a', name: 'green' },
  { value: '#d97706', name: 'orange' },
  { value: '#7c3aed', name: 'purple' },
];
const TOOLS: Array<{ id: Tool; label: string; icon: string }> = [
  { id: 'select', label: 'Select and move', icon: 'lucideMousePointer2' },
  { id: 'pen', label: 'Pen', icon: 'lucidePen' },
  { id: 'highlighter', label: 'Highlighter', icon: 'lucideHighlighter' },
  { id: 'eraser', label: 'Eraser', icon: 'lucideEraser' },
  { id: 'line', label: 'Line', icon: 'lucideMinus' },
  { id: 'arrow', label: 'Arrow', icon: 'lucideMoveUpRight' },
  { id: 'rectangle', label: 'Rectangle', icon: 'lucideSquare' },
  { id: 'ellipse', label: 'Ellipse', icon: 'lucideCircle' },
  { id: 'text', label: 'Text', icon: 'lucideType' },
];
/** Text is typed at least this big on the typing screen (CSS px): readable, and no zoom-on-focus on phones. */
const MIN_TEXT_PX = 16;
/** Text's default size in board units (a laptop shows it near that size). */
const TEXT_SIZE = 24;
/** Live strokes go out in small batches while they are drawn. */
const FLUSH_MS = 40;

/**
 * The shared whiteboard: Canvas API, redrawn on animation frames, sharp on HiDPI screens, pointer
 * events (mouse, touch, pen). Board coordinates are CSS pixels of a 1600×1000 page scaled to fit.
 */
@Component({
  selector: 'app-whiteboard',
  templateUrl: './whiteboard.component.html',
  styleUrl: './whiteboard.component.css',
  imports: [NgIcon, TranslocoPipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class WhiteboardComponent implements OnDestroy {
  readonly canTeach = input(false);
  readonly myUserId = input<string | null>(null);
  /** Observers and guests watch the board: the server refuses their strokes, so no tools are offered. */
  readonly watchOnly = input(false);
  private readonly room = inject(RoomSocket);
  private readonly i18n = inject(TranslocoService);
  private readonly language = inject(LanguageService);
  protected readonly wb = new WhiteboardClient(this.room);
  protected readonly colours = COLOURS;
  protected readonly tools = TOOLS;
  protected readonly tool = signal<Tool>('pen');
  protected readonly colour = signal(COLOURS[0].value);
  protected readonly width = signal(4);
  protected readonly page = signal('page-1');
  protected readonly following = signal(true);
  protected readonly pages = computed(() => {
    this.wb.version();
    return [...this.wb.board.pageOrder];
  });
  /** How many elements the shown page has (for people and tests reading the page). */
  protected readonly elementCount = computed(() => {
    this.wb.version();
    return this.wb.board.pages.get(this.page())?.order.length ?? 0;
  });
  /** Where the page's ink lies, "x,y" of its top-left corner in board units (read by tests, cheap to keep). */
  protected readonly extent = computed(() => {
    this.wb.version();
    const page = this.wb.board.pages.get(this.page());
    if (!page?.order.length) return '';
    const boxes = page.order.flatMap((id) => {
      const el = page.elements.get(id);
      return el ? [boundsOf(el)] : [];
    });
    if (!boxes.length) return '';
    return `${Math.round(Math.min(...boxes.map((b) => b.x)))},${Math.round(Math.min(...boxes.map((b) => b.y)))}`;
  });
  readonly mayDraw = computed(() => {
    const p = this.wb.permissions();
    if (this.watchOnly()) return false;
    return (
      this.canTeach() || p.mode === 'everyone' || (p.mode === 'named' && p.userIds.includes(this.myUserId() ?? ''))
    );
  });
  private readonly canvas = viewChild.required<ElementRef<HTMLCanvasElement>>('canvas');
  private readonly textEditor = viewChild<ElementRef<HTMLTextAreaElement>>('textEditor');
  /** The text box open on the canvas: where (board units and CSS px) and how big. */
  protected readonly typing = signal<{
    at: Point;
    left: number;
    top: number;
    fontPx: number;
    size: number;
    colour: string;
    page: string;
  } | null>(null);
  /** What a screen reader says of the canvas. */
  protected readonly boardLabel = computed(() => {
    const n = this.pages().indexOf(this.page()) + 1;
    this.language.current();
    const who = this.i18n.translate(this.mayDraw() ? 'wb.whoDraws' : 'wb.whoWatches');
    return this.i18n.translate('wb.boardLabel', {
      page: n,
      pages: this.pages().length,
      count: this.elementCount(),
      who,
    });
  });
  /** The element the select tool holds, and how far it has been dragged (sent as one move on release). */
  protected readonly selected = signal<string | null>(null);
  private dragging: { from: [number, number]; offset: [number, number] } | null = null;
  private readonly pointers = new PointerPolicy();
  private drawing: {
    elementId: string;
    buffer: Point[];
    timer?: ReturnType<typeof setTimeout>;
    shape?: { from: Point; to: Point };
  } | null = null;
  private frame = 0;
  private dirty = true;

  constructor() {
    effect(() => {
      if (this.room.joins() > 0) void this.wb.sync();
    });
    // Moved to a breakout room or back: that room's board, from the start.
    effect(() => {
      if (this.room.moves() === 0) return;
      untracked(() => {
        this.wb.reset();
        void this.wb.sync();
      });
    });
    effect(() => {
      this.wb.version();
      this.page();
      this.selected();
      this.dirty = true;
    });
    // A selection does not survive its element (deleted, undone, cleared by anyone) or a page change.
    effect(() => {
      this.wb.version();
      const id = this.selected();
      if (id && !this.wb.board.pages.get(this.page())?.elements.get(id)) this.selected.set(null);
    });
    // Follow the teacher: students go to the teacher's page (unless they left follow mode and it is not locked).
    effect(() => {
      const v = this.wb.teacherView();
      if (v && !this.canTeach() && (this.following() || v.locked)) this.page.set(v.page);
    });
    // A canvas that changes size (a phone's Board tab shown again, a rotation, the frame resized) is redrawn.
    const resized = new ResizeObserver(() => (this.dirty = true));
    afterNextRender(() => resized.observe(this.canvas().nativeElement));
    inject(DestroyRef).onDestroy(() => resized.disconnect());
    const loop = () => {
      if (this.dirty) this.render();
      this.frame = requestAnimationFrame(loop);
    };
    this.frame = requestAnimationFrame(loop);
  }

  ngOnDestroy(): void {
    cancelAnimationFrame(this.frame);
  }

  private scale(): number {
    const c = this.canvas().nativeElement;
    return c.clientWidth / BOARD_WIDTH;
  }

  private point(ev: PointerEvent): Point {
    const c = this.canvas().nativeElement;
    const r = c.getBoundingClientRect();
    const s = this.scale();
    return [Math.round((ev.clientX - r.left) / s), Math.round((ev.clientY - r.top) / s)];
  }

  protected down(ev: PointerEvent) {
    if (!this.mayDraw() || !this.pointers.down(ev)) return;
    const c = this.canvas().nativeElement;
    try {
      c.setPointerCapture(ev.pointerId);
    } catch {
      /* a pointer the browser no longer tracks: draw without capture */
    }
    const at = this.point(ev);
    const tool = this.tool();
    if (tool === 'select') {
      // Touch is coarse: a finger gets a wider reach than a mouse or pen.
      const id = elementAt(this.wb.board.pages.get(this.page()), at, ev.pointerType === 'touch' ? 16 : 6);
      this.selected.set(id);
      this.dragging = id ? { from: at, offset: [0, 0] } : null;
      return;
    }
    this.selected.set(null);
    if (tool === 'text') {
      // A tap beside an open text box places it; the next tap opens a new one.
      if (this.typing()) this.commitText();
      else this.openText(at);
      return;
    }
    const elementId = this.wb.id(tool);
    if (tool === 'pen' || tool === 'highlighter' || tool === 'eraser') {
      const width = tool === 'highlighter' ? this.width() * 4 : tool === 'eraser' ? this.width() * 6 : this.width();
      this.drawing = { elementId, buffer: [] };
      void this.add(elementId, { kind: 'stroke', tool, colour: this.colour(), width, points: [at] });
    } else {
      this.drawing = { elementId, buffer: [], shape: { from: at, to: at } };
    }
  }

  protected move(ev: PointerEvent) {
    if (!this.pointers.owns(ev)) return;
    if (this.dragging) {
      const at = this.point(ev);
      this.dragging.offset = [at[0] - this.dragging.from[0], at[1] - this.dragging.from[1]];
      this.dirty = true;
      return;
    }
    const d = this.drawing;
    if (!d) return;
    const at = this.point(ev);
    if (d.shape) {
      d.shape.to = at;
      this.dirty = true;
      return;
    }
    d.buffer.push(at);
    d.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
    this.dirty = true;
  }

  protected up(ev: PointerEvent) {
    if (!this.pointers.release(ev)) return;
    const drag = this.dragging;
    this.dragging = null;
    const id = this.selected();
    if (drag && id && (drag.offset[0] !== 0 || drag.offset[1] !== 0)) {
      void this.wb.send({
        type: 'update',
        opId: this.wb.id('op'),
        page: this.page(),
        elementId: id,
        patch: { move: drag.offset },
      });
    }
    const d = this.drawing;
    if (!d) return;
    if (d.shape) {
      const tool = this.tool() as 'line' | 'arrow' | 'rectangle' | 'ellipse';
      void this.add(d.elementId, {
        kind: 'shape',
        tool,
        colour: this.colour(),
        width: this.width(),
        from: d.shape.from,
        to: d.shape.to,
      });
    } else this.flush();
    this.drawing = null;
  }

  private flush() {
    const d = this.drawing;
    if (!d) return;
    clearTimeout(d.timer);
    d.timer = undefined;
    if (d.buffer.length === 0) return;
    const points = d.buffer.splice(0, 512);
    void this.wb.send({ type: 'append', opId: this.wb.id('op'), page: this.page(), elementId: d.elementId, points });
  }

  private add(elementId: string, element: BoardElement) {
    return this.wb.send({ type: 'add', opId: this.wb.id('op'), page: this.page(), elementId, element });
  }

  /** A swatch recolours the selected element, and is the colour of what is drawn next. */
  protected pickColour(colour: string) {
    this.colour.set(colour);
    const id = this.selected();
    if (id && this.wb.board.pages.get(this.page())?.elements.get(id)?.colour !== colour) {
      void this.wb.send({
        type: 'update',
        opId: this.wb.id('op'),
        page: this.page(),
        elementId: id,
        patch: { colour },
      });
    }
  }

  protected deleteSelected() {
    const id = this.selected();
    if (!id) return;
    this.selected.set(null);
    void this.wb.send({ type: 'delete', opId: this.wb.id('op'), page: this.page(), elementId: id });
  }

  /** Opens a text box on the canvas where the person tapped (not the browser's prompt). */
  private openText(at: Point) {
    const s = this.scale();
    const fontPx = Math.max(MIN_TEXT_PX, TEXT_SIZE * s);
    const size = Math.min(200, Math.max(6, Math.ceil(fontPx / s)));
    this.typing.set({
      at,
      left: at[0] * s,
      top: at[1] * s,
      fontPx: size * s,
      size,
      colour: this.colour(),
      page: this.page(),
    });
    setTimeout(() => this.textEditor()?.nativeElement.focus());
  }

  /** Places the typed text on the board (an empty box places nothing). */
  protected commitText() {
    const t = this.typing();
    if (!t) return;
    const text = this.textEditor()?.nativeElement.value.trim() ?? '';
    this.typing.set(null);
    if (text)
      void this.wb.send({
        type: 'add',
        opId: this.wb.id('op'),
        page: t.page,
        elementId: this.wb.id('text'),
        element: { kind: 'text', colour: t.colour, size: t.size, at: t.at, text: text.slice(0, 2000) },
      });
  }

  protected textKey(ev: KeyboardEvent) {
    if (ev.key === 'Escape') {
      ev.preventDefault();
      this.typing.set(null);
      this.canvas().nativeElement.focus();
    } else if (ev.key === 'Enter' && !ev.shiftKey) {
      ev.preventDefault();
      this.commitText();
      this.canvas().nativeElement.focus();
    }
  }

  protected key(ev: KeyboardEvent) {
    if ((ev.key === 'Delete' || ev.key === 'Backspace') && this.selected()) {
      ev.preventDefault();
      this.deleteSelected();
    }
  }

  undo() {
    void this.wb.send({ type: 'undo', opId: this.wb.id('op') });
  }

  redo() {
    void this.wb.send({ type: 'redo', opId: this.wb.id('op') });
  }

  protected clear() {
    void this.wb.send({ type: 'clear-page', opId: this.wb.id('op'), page: this.page() });
  }

  protected async addPage() {
    const id = this.wb.id('page');
    if (await this.wb.send({ type: 'add-page', opId: this.wb.id('op'), page: id })) this.goTo(id);
  }

  protected goTo(page: string) {
    this.page.set(page);
    if (this.canTeach()) void this.wb.lead({ page, x: 0, y: 0, zoom: 1, locked: false });
    else this.following.set(this.wb.teacherView()?.page === page);
  }

  protected backToTeacher() {
    this.following.set(true);
    const v = this.wb.teacherView();
    if (v) this.page.set(v.page);
  }

  protected setMode(mode: 'everyone' | 'nobody') {
    void this.wb.allow({ mode, userIds: [] });
  }

  private render() {
    this.dirty = false;
    const c = this.canvas().nativeElement;
    const dpr = window.devicePixelRatio || 1;
    const w = c.clientWidth;
    const h = c.clientHeight;
    if (c.width !== Math.round(w * dpr) || c.height !== Math.round(h * dpr)) {
      c.width = Math.round(w * dpr);
      c.height = Math.round(h * dpr);
    }
    const ctx = c.getContext('2d')!;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    const s = this.scale();
    ctx.scale(s, s);
    const page = this.wb.board.pages.get(this.page());
    const sel = this.selected();
    const drag = this.dragging;
    if (page) {
      for (const id of page.order) {
        if (id === sel && drag) {
          ctx.save();
          ctx.translate(drag.offset[0], drag.offset[1]);
          drawElement(ctx, page.elements.get(id), s);
          ctx.restore();
        } else drawElement(ctx, page.elements.get(id), s);
      }
    }
    const selEl = sel ? page?.elements.get(sel) : undefined;
    if (selEl) {
      const b = boundsOf(selEl);
      ctx.save();
      ctx.strokeStyle = '#2563eb';
      ctx.setLineDash([6, 4]);
      ctx.lineWidth = 1.5 / s;
      ctx.strokeRect(b.x - 4 + (drag?.offset[0] ?? 0), b.y - 4 + (drag?.offset[1] ?? 0), b.w + 8, b.h + 8);
      ctx.restore();
    }
    const d = this.drawing;
    if (d?.shape)
      drawElement(
        ctx,
        {
          kind: 'shape',
          tool: this.tool() as 'line',
          colour: this.colour(),
          width: this.width(),
          from: d.shape.from,
          to: d.shape.to,
          author: '',
        },
        s,
      );
    if (d && !d.shape && page?.elements.get(d.elementId)?.kind === 'stroke' && d.buffer.length) {
      const el = page.elements.get(d.elementId) as Extract<StoredElement, { kind: 'stroke' }>;
      drawElement(ctx, { ...el, points: [...el.points.slice(-1), ...d.buffer] }, s);
    }
  }
}
