import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** A gauge read when Prometheus scrapes: each call returns the current values by label set. */
export type GaugeReader = () => Promise<Array<{ labels?: Record<string, string>; value: number }>>;

/**
 * The instance's Prometheus metrics, in a registry of its own (several apps in one test process do not
 * share series). Rates and latencies are counted where they happen (HTTP middleware, the socket gate);
 * what is a level (rooms, participants, queue depths, grades pending, media load) is read at scrape time
 * from its owner through `gauge()`, so no number here is a second copy of state that lives elsewhere.
 */
@Injectable()
export class Metrics {
  readonly registry = new Registry();

  readonly httpRequests = new Counter({
    name: 'lectern_http_requests_total',
    help: 'HTTP requests answered, by method, route and status class',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  readonly httpDuration = new Histogram({
    name: 'lectern_http_request_duration_seconds',
    help: 'HTTP request latency, by method and route',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly socketEvents = new Counter({
    name: 'lectern_socket_events_total',
    help: 'Socket events handled by the gate, by event and outcome (ok or the refusal code)',
    labelNames: ['event', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly socketDuration = new Histogram({
    name: 'lectern_socket_event_duration_seconds',
    help: 'Socket event latency from arrival (queue wait included) to ack, by event',
    labelNames: ['event'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  /** A gauge's owner that could not be read at a scrape (the gauge then shows no labelled values). */
  readonly readErrors = new Counter({
    name: 'lectern_metrics_read_errors_total',
    help: 'Scrapes at which a gauge could not be read from its owner, by gauge',
    labelNames: ['metric'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'lectern_' });
  }

  /**
   * A gauge whose values are read from their owner at each scrape. A failing reader leaves the gauge
   * reset and counts a read error (lectern_metrics_read_errors_total) instead of failing the scrape.
   */
  gauge(name: string, help: string, labelNames: string[], read: GaugeReader): void {
    if (this.registry.getSingleMetric(name)) return;
    const readErrors = this.readErrors;
    new Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      async collect() {
        this.reset();
        let values: Awaited<ReturnType<GaugeReader>>;
        try {
          values = await read();
        } catch {
          readErrors.inc({ metric: name });
          return;
        }
        for (const v of values) {
          if (v.labels) this.set(v.labels, v.value);
          else this.set(v.value);
        }
      },
    });
  }
}
