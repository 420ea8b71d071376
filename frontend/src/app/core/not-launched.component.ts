import { ChangeDetectionStrategy, Component } from '@angular/core';

@Component({
  selector: 'app-not-launched',
  template: `
    <main class="page card">
      <h1>Lectern</h1>
      <p>Lectern is a live classroom that opens from your course in Canvas or Moodle.</p>
      <p class="muted">Open your course and follow the Lectern link there.</p>
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
