import { ChangeDetectionStrategy, Component, effect, ElementRef, input, output, viewChild } from '@angular/core';

export interface DialogChoice {
  value: string;
  label: string;
  /** 'danger' for what cannot be undone, 'quiet' for the way out. */
  kind?: 'danger' | 'quiet';
  testId?: string;
}

/**
 * A question asked before something that cannot be undone (ending a class, removing someone): a native
 * modal <dialog> (focus kept inside, Escape answers "cancel"), titled and described for screen readers.
 */
@Component({
  selector: 'app-confirm-dialog',
  template: `
    <dialog
      #dialog
      class="confirm"
      [attr.aria-labelledby]="id + '-title'"
      [attr.aria-describedby]="id + '-text'"
      [attr.data-testid]="testId()"
      (cancel)="$event.preventDefault(); choose.emit('cancel')"
    >
      <h2 [id]="id + '-title'">{{ title() }}</h2>
      <p [id]="id + '-text'">{{ text() }}</p>
      <div class="choices">
        @for (c of choices(); track c.value) {
          <button
            type="button"
            class="btn"
            [class.live]="c.kind === 'danger'"
            [class.quiet]="c.kind === 'quiet'"
            [attr.data-testid]="c.testId"
            (click)="choose.emit(c.value)"
          >
            {{ c.label }}
          </button>
        }
      </div>
    </dialog>
  `,
  styles: `
    dialog.confirm {
      border: 0;
      border-radius: 14px;
      padding: 1.25rem;
      max-width: min(28rem, 92vw);
      box-shadow: 0 10px 30px rgba(0, 0, 0, 0.25);
    }
    dialog.confirm::backdrop {
      background: rgba(15, 23, 42, 0.45);
    }
    h2 {
      margin: 0 0 0.5rem;
      font-size: 1.1rem;
    }
    .choices {
      display: flex;
      flex-wrap: wrap;
      gap: 0.5rem;
      justify-content: flex-end;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ConfirmDialogComponent {
  private static next = 0;
  protected readonly id = `confirm-${ConfirmDialogComponent.next++}`;
  readonly open = input(false);
  readonly title = input.required<string>();
  readonly text = input.required<string>();
  readonly choices = input.required<DialogChoice[]>();
  readonly testId = input<string>('confirm-dialog');
  readonly choose = output<string>();
  private readonly dialog = viewChild.required<ElementRef<HTMLDialogElement>>('dialog');

  constructor() {
    effect(() => {
      const d = this.dialog().nativeElement;
      if (this.open() && !d.open) d.showModal();
      else if (!this.open() && d.open) d.close();
    });
  }
}
