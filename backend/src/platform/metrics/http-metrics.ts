import type { NextFunction, Request, Response } from 'express';
import type { Metrics } from './metrics';

const SERVER_PREFIXES = ['/api', '/lti', '/dev-platform', '/socket.io'];

/**
 * The route label of a request, with few values: the matched route's pattern (`/api/classrooms/:id`),
 * else the prefix it fell under (`/lti/*`), else `static` for the SPA's files.
 */
export function routeLabel(req: Pick<Request, 'baseUrl' | 'path' | 'originalUrl'> & { route?: { path?: unknown } }) {
  if (req.route && typeof req.route.path === 'string') return `${req.baseUrl ?? ''}${req.route.path}`;
  const path = (req.originalUrl ?? req.path ?? '').split('?')[0];
  const prefix = SERVER_PREFIXES.find((p) => path === p || path.startsWith(p + '/'));
  return prefix ? `${prefix}/*` : 'static';
}

/** Counts every HTTP answer and its latency by method, route and status class. */
export function httpMetrics(metrics: Metrics) {
  return (req: Request, res: Response, next: NextFunction) => {
    const end = metrics.httpDuration.startTimer();
    res.once('finish', () => {
      const route = routeLabel(req);
      end({ method: req.method, route });
      metrics.httpRequests.inc({ method: req.method, route, status: `${Math.floor(res.statusCode / 100)}xx` });
    });
    next();
  };
}
