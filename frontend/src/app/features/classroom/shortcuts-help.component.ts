import { DialogRef } from '@angular/cdk/dialog';
import { A11yModule } from '@angular/cdk/a11y';
import { TranslocoPipe } from '@jsverse/transloco';
import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { SHORTCUTS } from './room-shortcuts';

/** The keyboard shortcuts, in a dialog (CDK: focus trapped inside, Escape closes, focus goes back). */
@Component({
  selector: 'app-shortcuts-help',
  imports: [A11yModule, TranslocoPipe],
  template: `
    <section class="dialog" data-testid="shortcuts-help">
      <h2 id="shortcuts-title">{{ 'shortcuts.title' | transloco }}</h2>
      <p class="muted">{{ 'shortcuts.mac' | transloco }}</p>
      <table>
        <caption class="sr-only">
          {{
            'shortcuts.caption' | transloco
          }}
        </caption>
        <tbody>
          @for (s of shortcuts; track s.action) {
            <tr>
              <th scope="row">
                <kbd>{{ s.keys }}</kbd>
              </th>
              <td>{{ 'shortcuts.' + s.action | transloco }}</td>
            </tr>
          }
        </tbody>
      </table>
      <p class="muted">{{ 'shortcuts.board' | transloco }}</p>
      <button class="btn" cdkFocusInitial (click)="ref.close()" data-testid="shortcuts-close">
        {{ 'common.close' | transloco }}
      </button>
    </section>
  `,
  styles: `
    .dialog {
      background: #fff;
      color: #1f2933;
      border-radius: 14px;
      padding: 1.25rem;
      max-width: min(34rem, 92vw);
      max-height: 85vh;
      overflow: auto;
      box-shadow: 0 10px 30px rgba(0, 0, 0, 0.3);
    }
    h2 {
      margin: 0 0 0.3rem;
      font-size: 1.15rem;
    }
    table {
      border-collapse: collapse;
      width: 100%;
      margin: 0.5rem 0;
    }
    th,
    td {
      text-align: left;
      padding: 0.35rem 0.4rem;
      border-bottom: 1px solid #e5e7eb;
      font-weight: normal;
      vertical-align: top;
    }
    kbd {
      font-family: inherit;
      background: #f3f4f6;
      border: 1px solid #d1d5db;
      border-radius: 4px;
      padding: 0 0.3rem;
      white-space: nowrap;
    }
    .sr-only {
      position: absolute;
      width: 1px;
      height: 1px;
      overflow: hidden;
      clip: rect(0 0 0 0);
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ShortcutsHelpComponent {
  protected readonly ref = inject(DialogRef);
  protected readonly shortcuts = SHORTCUTS;
}
