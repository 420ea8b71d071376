import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';
import { Observable, Subject } from 'rxjs';
import type { AppConfig } from '../../config/config';
import { TenancyService } from '../../tenancy/tenancy.service';
import { DomainError, UnauthenticatedError } from '../domain-error';
import { APP_CONFIG } from '../../config/config';
import { REDIS } from '../redis';
import { SessionClaims, sessionLifetimeOver } from './session-token';

/** Redis pub/sub channel (under the deployment's queue prefix): a platform was disabled or enabled. */
export const PLATFORM_ACTIVE_CHANNEL = 'platform.active-changed';

/** The local copy of the disabled platforms is re-read at least this often (every instance, one small query). */
const MAX_CACHE_AGE_MS = 5_000;

/**
 * Which sessions may no longer be used, answered synchronously from a per-instance cache: sessions past
 * their absolute lifetime, and sessions of a platform an administrator disabled. The database is the
 * truth (lti_platform.active); the cache is re-read every few seconds and at once when any instance
 * announces a change on Redis, so a disable reaches every instance within seconds (and within
 * MAX_CACHE_AGE_MS even if the announcement is lost). Used by the HTTP session guard, the socket
 * sweep (SessionRevocationGateway) and, per socket event, the socket gate.
 */
@Injectable()
export class SessionRevocation implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('SessionRevocation');
  private disabled: ReadonlySet<string> = new Set();
  private readonly changed = new Subject<void>();
  private readonly channel: string;
  private subscriber?: Redis;
  private timer?: NodeJS.Timeout;
  private reloading?: Promise<void>;
  private reloadAgain?: Promise<void>;
  /** Bumped by each local change. */
  private version = 0;

  /** Fires after the disabled set changed (or may have): open sockets should be checked. */
  readonly changes: Observable<void> = this.changed.asObservable();

  constructor(
    private readonly tenancy: TenancyService,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.channel = `${config.queuePrefix}:${PLATFORM_ACTIVE_CHANNEL}`;
  }

  async onModuleInit(): Promise<void> {
    await this.reload();
    this.timer = setInterval(() => void this.reload(), Math.min(MAX_CACHE_AGE_MS, this.config.session.sweepMs));
    this.timer.unref();
    this.subscriber = this.redis.duplicate();
    this.subscriber.on('error', (e) => this.logger.warn(`platform change channel: ${e.message}`));
    this.subscriber.on('message', (channel) => {
      // The message only says "look again": the database says what is disabled.
      if (channel === this.channel) void this.reload().then(() => this.changed.next());
    });
    await this.subscriber.subscribe(this.channel);
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    this.changed.complete();
    await this.subscriber?.quit().catch(() => this.subscriber?.disconnect());
  }

  /** Why this session may no longer be used, or null when it may. */
  refusal(session: Pick<SessionClaims, 'platformId' | 'launchedAt'>): DomainError | null {
    if (sessionLifetimeOver(session, this.config.session.maxAgeSeconds)) {
      return new UnauthenticatedError(
        'SESSION_EXPIRED',
        'Your session has reached its maximum length: launch Lectern again from your course',
      );
    }
    if (this.disabled.has(session.platformId)) {
      return new UnauthenticatedError('PLATFORM_DISABLED', 'This platform has been disabled by an administrator');
    }
    return null;
  }

  /**
   * Throws SESSION_EXPIRED (past the absolute lifetime) or PLATFORM_DISABLED. Synchronous and cheap:
   * meant for every HTTP call and every socket event.
   */
  assertSessionUsable(session: Pick<SessionClaims, 'platformId' | 'launchedAt'>): void {
    const refusal = this.refusal(session);
    if (refusal) throw refusal;
  }

  /**
   * An administrator changed a platform (the database row is already written): this instance acts at
   * once, the others when they hear it on Redis.
   */
  async platformActiveChanged(platformId: string, active: boolean): Promise<void> {
    const next = new Set(this.disabled);
    if (active) next.delete(platformId);
    else next.add(platformId);
    this.disabled = next;
    this.version++;
    this.changed.next();
    await this.redis.publish(this.channel, JSON.stringify({ platformId, active })).catch((e: Error) => {
      this.logger.warn(
        `announcing the platform change failed (other instances see it within ${MAX_CACHE_AGE_MS} ms): ${e.message}`,
      );
    });
  }

  /**
   * Re-reads the disabled platforms; on a database error the last known set stays. A call during a read
   * gets a read that starts after it (the one under way may predate the change it was called for), and
   * a read that started before a local change is dropped (the change's own announcement reads again).
   */
  private reload(): Promise<void> {
    if (this.reloading) {
      this.reloadAgain ??= this.reloading.then(() => {
        this.reloadAgain = undefined;
        return this.reload();
      });
      return this.reloadAgain;
    }
    const version = this.version;
    this.reloading = this.tenancy
      .disabledPlatformIds()
      .then((ids) => {
        if (version === this.version) this.disabled = new Set(ids);
      })
      .catch((e: Error) => this.logger.warn(`reading disabled platforms failed: ${e.message}`))
      .finally(() => {
        this.reloading = undefined;
      });
    return this.reloading;
  }
}
