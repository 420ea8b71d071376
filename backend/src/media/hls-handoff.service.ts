import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type Redis from 'ioredis';
import type { Subscription } from 'rxjs';
import { APP_CONFIG, type AppConfig } from '../config/config';
import type { MediaPaths, MediaRoute } from '../contracts/broadcast';
import { ConflictError } from '../platform/domain-error';
import { DomainEvents } from '../platform/domain-events';
import { REDIS } from '../platform/redis';
import { presentPeopleKey } from '../classroom/presence.service';
import { ClassMode, nextMode, routeJoiner, WEBRTC_MODE } from './domain/hls-handoff';
import { hlsLinkExpiry, hlsLinkPrefix, LIVE_PLAYLIST } from './domain/hls-links';
import { LoadMonitor } from './load-monitor.service';
import { MediaCluster } from './media-cluster.service';

/** Who asks for a path: a class member as the socket gate resolved them. */
export interface RouteCaller {
  sessionId: string;
  userId: string;
  canTeach: boolean;
  guest: boolean;
}

/** How many of a set's members are in the class now (the presence hash): the set stays small (WebRTC is capped). */
const PRESENT_MEMBERS = `local n = 0
for _, u in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('HEXISTS', KEYS[2], u) == 1 then n = n + 1 end
end
return n`;

/** HLS viewers listed to the instructor (the counts are always whole). */
export const HLS_LISTED_VIEWERS = 500;
const CLASS_TTL_SECONDS = 2 * 24 * 3600;

/**
 * Decides each joiner's media path (domain/hls-handoff.ts) from what every instance can read in Redis:
 * the class's mode, the load samples of the host serving its media, who is on WebRTC, on HLS, promoted.
 * Any instance may decide; the mode it writes is the class's for all of them. media:join asks it too,
 * so a page cannot skip the decision and take WebRTC anyway.
 */
@Injectable()
export class HlsHandoff implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('HlsHandoff');
  private readonly subs: Subscription[] = [];
  private readonly keys: {
    mode: (sid: string) => string;
    webrtc: (sid: string) => string;
    hls: (sid: string) => string;
    promoted: (sid: string) => string;
  };
  /** The channel on which a media host hears that a class needs its broadcast now. */
  readonly wakeChannel: string;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly monitor: LoadMonitor,
    private readonly cluster: MediaCluster,
    private readonly events: DomainEvents,
  ) {
    const p = config.queuePrefix;
    this.keys = {
      mode: (sid) => `${p}:hls:mode:${sid}`,
      webrtc: (sid) => `${p}:hls:webrtc:${sid}`,
      hls: (sid) => `${p}:hls:viewers:${sid}`,
      promoted: (sid) => `${p}:hls:promoted:${sid}`,
    };
    this.wakeChannel = `${p}:hls:wake`;
  }

  onModuleInit(): void {
    this.subs.push(
      // Someone who left (or was removed) is a new joiner when they come back; a dropped connection keeps
      // its WebRTC seat (counted only while present). A viewer who is gone no longer watches, whatever the reason.
      this.events.on('participant.left').subscribe(({ sessionId, userId, reason }) => {
        const multi = this.redis.multi().srem(this.keys.hls(sessionId), userId);
        if (reason === 'left' || reason === 'removed') multi.srem(this.keys.webrtc(sessionId), userId);
        void multi
          .exec()
          .then(() => this.changed(sessionId))
          .catch(() => undefined);
      }),
      this.events.on('session.ended').subscribe(({ sessionId }) => {
        void this.redis
          .del(
            this.keys.mode(sessionId),
            this.keys.webrtc(sessionId),
            this.keys.hls(sessionId),
            this.keys.promoted(sessionId),
          )
          .catch(() => undefined);
      }),
    );
  }

  onModuleDestroy(): void {
    for (const s of this.subs) s.unsubscribe();
  }

  /** Listeners told when a class's counts changed (the gateway sends them to its instructors). */
  private readonly changeListeners = new Set<(sessionId: string) => void>();
  onChange(listener: (sessionId: string) => void): void {
    this.changeListeners.add(listener);
  }
  private changed(sessionId: string): void {
    for (const l of this.changeListeners) l(sessionId);
  }

  async mode(sessionId: string): Promise<ClassMode> {
    const raw = await this.redis.get(this.keys.mode(sessionId));
    if (!raw) return WEBRTC_MODE;
    try {
      const m = JSON.parse(raw) as ClassMode;
      return m.mode === 'hls' ? m : WEBRTC_MODE;
    } catch {
      return WEBRTC_MODE;
    }
  }

  /** The class's mode brought up to date with its host's load and its WebRTC count (written when it changed). */
  async currentMode(sessionId: string): Promise<ClassMode> {
    const [previous, host, webrtc] = await Promise.all([
      this.mode(sessionId),
      this.cluster.hostOf(sessionId),
      this.presentOnWebrtc(sessionId),
    ]);
    const samples = host ? await this.monitor.samplesOf(host) : [];
    const next = nextMode(previous, samples, webrtc, Date.now(), this.config.hls.thresholds);
    if (next.mode !== previous.mode) {
      this.logger.log(
        `class ${sessionId}: new passive joiners now get ${next.mode === 'hls' ? `HLS (${next.reason})` : 'WebRTC'}`,
      );
      await this.redis.set(this.keys.mode(sessionId), JSON.stringify(next), 'EX', CLASS_TTL_SECONDS);
    }
    return next;
  }

  /** Where this person's media goes now; WebRTC is remembered (they stay on it), HLS is decided again at each call. */
  async route(caller: RouteCaller): Promise<MediaRoute> {
    const sid = caller.sessionId;
    const [onWebrtc, promoted] = await Promise.all([
      this.redis.sismember(this.keys.webrtc(sid), caller.userId),
      this.redis.sismember(this.keys.promoted(sid), caller.userId),
    ]);
    const mode = await this.currentMode(sid);
    const path = routeJoiner(
      { canTeach: caller.canTeach, presenter: caller.guest, promoted: promoted === 1, onWebrtc: onWebrtc === 1 },
      mode,
    );
    if (path === 'webrtc') {
      if (onWebrtc !== 1)
        await this.redis
          .multi()
          .sadd(this.keys.webrtc(sid), caller.userId)
          .expire(this.keys.webrtc(sid), CLASS_TTL_SECONDS)
          .srem(this.keys.hls(sid), caller.userId)
          .exec();
      if (onWebrtc !== 1) this.changed(sid);
      return { path: 'webrtc' };
    }
    const added = await this.redis
      .multi()
      .sadd(this.keys.hls(sid), caller.userId)
      .expire(this.keys.hls(sid), CLASS_TTL_SECONDS)
      .exec();
    if (added?.[0]?.[1] === 1) this.changed(sid);
    // The class's media host starts the broadcast now if it was not running warm already.
    await this.redis.publish(this.wakeChannel, sid).catch(() => undefined);
    const expiresAt = hlsLinkExpiry(Math.floor(Date.now() / 1000), this.config.hls.linkTtlSeconds);
    return {
      path: 'hls',
      playlistUrl: `${this.config.hls.baseUrl}${hlsLinkPrefix(sid, expiresAt, this.config.hls.secret)}${LIVE_PLAYLIST}`,
      reason: mode.mode === 'hls' ? mode.reason : 'cpu',
      expiresAt,
    };
  }

  /** media:join's check: only those whose path is WebRTC join the SFU. */
  async requireWebrtc(caller: RouteCaller): Promise<void> {
    const route = await this.route(caller);
    if (route.path !== 'webrtc')
      throw new ConflictError(
        'MEDIA_ON_HLS',
        'This class is busy: you watch its broadcast. Raise your hand to ask the instructor to let you speak.',
      );
  }

  /** An instructor lets someone onto WebRTC (they asked to speak); they stay on it for the rest of the class. */
  async promote(sessionId: string, userId: string): Promise<MediaPaths> {
    await this.redis
      .multi()
      .sadd(this.keys.promoted(sessionId), userId)
      .expire(this.keys.promoted(sessionId), CLASS_TTL_SECONDS)
      .exec();
    this.changed(sessionId);
    return this.paths(sessionId);
  }

  /** People on WebRTC who are in the class now (a dropped connection keeps its seat but is not counted). */
  private async presentOnWebrtc(sessionId: string): Promise<number> {
    return Number(await this.redis.eval(PRESENT_MEMBERS, 2, this.keys.webrtc(sessionId), presentPeopleKey(sessionId)));
  }

  async paths(sessionId: string): Promise<MediaPaths> {
    const [webrtc, hls, ids] = await Promise.all([
      this.presentOnWebrtc(sessionId),
      this.redis.scard(this.keys.hls(sessionId)),
      this.redis.sscan(this.keys.hls(sessionId), 0, 'COUNT', HLS_LISTED_VIEWERS),
    ]);
    return { webrtc, hls, hlsUserIds: ids[1].slice(0, HLS_LISTED_VIEWERS).sort() };
  }

  /** How many watch the class's broadcast (the host keeps it running while anyone does). */
  hlsViewers(sessionId: string): Promise<number> {
    return this.redis.scard(this.keys.hls(sessionId));
  }
}
