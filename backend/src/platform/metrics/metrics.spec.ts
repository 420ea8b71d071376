import { describe, expect, it } from 'vitest';
import { readiness } from '../domain/readiness-policy';
import { routeLabel } from './http-metrics';
import { Metrics } from './metrics';

describe('readiness policy', () => {
  const base = {
    draining: false,
    databaseUp: true,
    redisUp: true,
    redisLastOkAt: 1000,
    now: 5000,
    redisGraceMs: 10_000,
  };
  it('is ready with both up', () => expect(readiness(base)).toEqual({ ready: true, degraded: null }));
  it('is not ready while draining, whatever else holds', () =>
    expect(readiness({ ...base, draining: true })).toEqual({ ready: false, reason: 'draining' }));
  it('is not ready without the database', () =>
    expect(readiness({ ...base, databaseUp: false })).toEqual({ ready: false, reason: 'database' }));
  it('tolerates a Redis outage shorter than the grace, and says degraded', () =>
    expect(readiness({ ...base, redisUp: false, now: 1000 + 9_999 })).toEqual({ ready: true, degraded: 'redis' }));
  it('is not ready once the outage reaches the grace', () =>
    expect(readiness({ ...base, redisUp: false, now: 1000 + 10_000 })).toEqual({ ready: false, reason: 'redis' }));
  it('is not ready when Redis never answered', () =>
    expect(readiness({ ...base, redisUp: false, redisLastOkAt: null })).toEqual({ ready: false, reason: 'redis' }));
});

describe('HTTP route labels (few values, never an id)', () => {
  it('uses the matched route pattern', () =>
    expect(
      routeLabel({ baseUrl: '', path: '/api/x/123', originalUrl: '/api/x/123', route: { path: '/api/x/:id' } }),
    ).toBe('/api/x/:id'));
  it('falls back to the server prefix, query strings dropped', () =>
    expect(routeLabel({ baseUrl: '', path: '/lti/login', originalUrl: '/lti/login?iss=abc' })).toBe('/lti/*'));
  it('calls everything else static', () =>
    expect(routeLabel({ baseUrl: '', path: '/main-abc.js', originalUrl: '/main-abc.js' })).toBe('static'));
});

describe('Metrics', () => {
  it('reads gauges from their owner at each scrape; a failing reader is counted, the scrape still answers', async () => {
    const m = new Metrics();
    let n = 3;
    m.gauge('t_level', 'a level', ['k'], async () => [{ labels: { k: 'a' }, value: n }]);
    m.gauge('t_broken', 'fails', [], async () => {
      throw new Error('owner down');
    });
    expect(await m.registry.metrics()).toContain('t_level{k="a"} 3');
    n = 5;
    const text = await m.registry.metrics();
    expect(text).toContain('t_level{k="a"} 5');
    expect(text).toContain('t_level{k="a"} 5');
    expect((await m.readErrors.get()).values).toEqual([{ labels: { metric: 't_broken' }, value: 2 }]);
  });

  it('keeps its series apart from another instance in the same process', async () => {
    const a = new Metrics();
    const b = new Metrics();
    a.socketEvents.inc({ event: 'room:join', outcome: 'ok' });
    expect(await a.registry.metrics()).toContain('lectern_socket_events_total{event="room:join",outcome="ok"} 1');
    expect(await b.registry.metrics()).not.toContain('lectern_socket_events_total{event="room:join"');
  });
});
