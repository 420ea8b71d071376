import { ChangeDetectionStrategy, Component } from '@angular/core';
import { TranslocoPipe } from '@jsverse/transloco';

@Component({
  selector: 'app-not-launched',
  imports: [TranslocoPipe],
  template: `
    <main class="page card">
      <h1>Lectern</h1>
      <p>{{ 'notLaunched.what' | transloco }}</p>
      <p class="muted">{{ 'notLaunched.how' | transloco }}</p>
    </main>
  `,
  styles: `
    .page {
      max-width: 40rem;
      margin: 2rem auto;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class NotLaunchedComponent {}
