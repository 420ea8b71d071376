import type { DynamicModule, LoggerService } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import crypto from 'node:crypto';
import os from 'node:os';
import { LoggerModule } from 'nestjs-pino';
import { stdTimeFunctions } from 'pino';
import type { AppConfig } from '../config/config';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * The request id of an HTTP request: the load balancer's `X-Request-Id` when it is a plain token (so one
 * id follows a request through nginx and Lectern), else a new one; echoed in the response header.
 */
export function requestId(req: IncomingMessage, res: ServerResponse): string {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : crypto.randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}

/** Paths polled by machines (health checks): not worth a log line each. */
const QUIET = /^\/api\/health(\/|$|\?)/;

/**
 * JSON log lines (pino) at LOG_LEVEL: one per HTTP request with its id, method, path, status and time,
 * and every Nest `Logger` call of the code (with its context and, where given, socket id and user) in
 * the same format. Tokens and cookies are never written.
 */
export function loggingModule(config: AppConfig): DynamicModule {
  return LoggerModule.forRoot({
    pinoHttp: {
      level: config.ops.logLevel,
      messageKey: 'message',
      timestamp: stdTimeFunctions.isoTime,
      base: { pid: process.pid, host: os.hostname() },
      formatters: { level: (label: string) => ({ level: label }) },
      genReqId: requestId,
      autoLogging: { ignore: (req: IncomingMessage) => QUIET.test(req.url ?? '') },
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', 'req.query.token'],
        censor: '[redacted]',
      },
      serializers: {
        // The status only: the response's headers (a 1.5 kB Content-Security-Policy each) are the same every time.
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
        req: (req: { id: string; method: string; url: string; remoteAddress?: string }) => ({
          id: req.id,
          method: req.method,
          url: (req.url ?? '').split('?')[0],
          remoteAddress: req.remoteAddress,
        }),
      },
    },
  });
}

/** Nest's own start-up chatter (a line per module, route and gateway): debug, so the ready line stands out at info. */
const STARTUP_CONTEXTS = new Set([
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'WebSocketsController',
  'NestFactory',
  'NestApplication',
]);

/** The logger with Nest's start-up lines (about 150 "Mapped {/api/...} route" and the like) moved to debug. */
export function quietStartup(logger: LoggerService): LoggerService {
  const context = (rest: unknown[]) => (typeof rest.at(-1) === 'string' ? (rest.at(-1) as string) : '');
  return {
    log: (message: unknown, ...rest: unknown[]) =>
      STARTUP_CONTEXTS.has(context(rest)) ? logger.debug?.(message, ...rest) : logger.log(message, ...rest),
    error: (message: unknown, ...rest: unknown[]) => logger.error(message, ...rest),
    warn: (message: unknown, ...rest: unknown[]) => logger.warn(message, ...rest),
    debug: (message: unknown, ...rest: unknown[]) => logger.debug?.(message, ...rest),
    verbose: (message: unknown, ...rest: unknown[]) => logger.verbose?.(message, ...rest),
    fatal: (message: unknown, ...rest: unknown[]) => (logger.fatal ?? logger.error).call(logger, message, ...rest),
  };
}
