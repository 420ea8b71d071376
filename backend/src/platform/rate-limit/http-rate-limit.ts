import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { RateLimitedError, RateLimiter } from './rate-limiter';
import { httpRuleOf } from './rules';

/**
 * Express middleware in front of everything (ltijs's /lti routes are plain Express, not Nest): the
 * limited paths (see httpRuleOf) are charged to the client's address, `req.ip`, which is the
 * X-Forwarded-For hop that 'trust proxy' (TRUST_PROXY) allows. A refusal is a 429 with Retry-After and
 * the API's error body.
 */
export function httpRateLimit(limiter: RateLimiter): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const rule = httpRuleOf(req.path);
    if (!rule) return next();
    limiter.limitHttp(rule, req.ip).then(({ ok, retryAfterMs }) => {
      if (ok) return next();
      const e = new RateLimitedError(retryAfterMs);
      res.setHeader('Retry-After', String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
      res.status(e.status).json({ error: { code: e.code, message: e.message } });
    }, next);
  };
}
