import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { TranslocoPipe } from '@jsverse/transloco';
import { barGeometry, ChartView } from './quiz-chart';

let nextId = 0;

/**
 * The live bar chart, plain SVG: one row per option (label above its bar, the count after it). The
 * SVG is an image named by the answered count and described by a list of the same numbers, which
 * screen readers read and which is also shown on request.
 */
@Component({
  selector: 'app-quiz-chart',
  imports: [TranslocoPipe],
  template: `
    <figure class="chart" data-testid="quiz-chart">
      <figcaption [id]="captionId" data-testid="quiz-answered">{{ view().summary }}</figcaption>
      <svg
        width="100%"
        [attr.height]="view().height"
        role="img"
        [attr.aria-labelledby]="captionId"
        [attr.aria-describedby]="listId"
      >
        @for (b of drawn(); track b.bar.key) {
          <g
            class="row"
            [class.correct]="b.bar.correct === true"
            [attr.data-option]="b.bar.label"
            [attr.data-count]="b.bar.count"
          >
            <text x="0" [attr.y]="b.bar.y + 15" class="label">{{ b.bar.correct ? '✓ ' : '' }}{{ b.bar.label }}</text>
            <rect x="0" [attr.y]="b.geometry.y" [attr.height]="b.geometry.height" width="100%" rx="4" class="track" />
            <rect
              x="0"
              [attr.y]="b.geometry.y"
              [attr.height]="b.geometry.height"
              [attr.width]="b.geometry.widthPercent + '%'"
              rx="4"
              class="bar"
            />
            <text x="100%" [attr.y]="b.bar.y + 15" text-anchor="end" class="count">
              {{ b.bar.count }} · {{ b.bar.percent }}%
            </text>
          </g>
        }
      </svg>
      <details class="numbers">
        <summary>{{ 'quizTeach.showNumbers' | transloco }}</summary>
        <ul [id]="listId" data-testid="quiz-chart-text">
          @for (line of view().description; track $index) {
            <li>{{ line }}</li>
          }
        </ul>
      </details>
    </figure>
  `,
  styles: `
    .chart {
      margin: 0;
    }
    figcaption {
      font-weight: 600;
      margin-bottom: 0.4rem;
    }
    svg {
      display: block;
      overflow: visible;
      font-size: 14px;
    }
    .label {
      fill: var(--ink);
    }
    .count {
      fill: var(--muted);
    }
    .track {
      fill: #eef2f7;
    }
    .bar {
      fill: var(--accent);
      transition: width 0.3s ease-out;
    }
    .row.correct .bar {
      fill: var(--ok);
    }
    .row.correct .label {
      font-weight: 700;
    }
    .numbers {
      margin-top: 0.4rem;
      font-size: 0.9rem;
    }
    .numbers summary {
      cursor: pointer;
      color: var(--muted);
      min-height: 32px;
    }
    .numbers ul {
      margin: 0.3rem 0 0;
      padding-left: 1.2rem;
    }
    /* Closed, the list still describes the chart (aria-describedby reads hidden content too). */
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class QuizChartComponent {
  readonly view = input.required<ChartView>();
  protected readonly captionId = `quiz-chart-caption-${++nextId}`;
  protected readonly listId = `quiz-chart-text-${nextId}`;
  protected readonly drawn = computed(() => this.view().bars.map((bar) => ({ bar, geometry: barGeometry(bar) })));
}
