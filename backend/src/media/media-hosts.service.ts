import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import Redis from 'ioredis';
import { z } from 'zod';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { NotFoundError } from '../platform/domain-error';
import { Readiness } from '../platform/readiness';
import { REDIS } from '../platform/redis';
import { cpuShare, hostLoad, MediaHostReport, pickMediaHost } from './domain/host-placement';
import { MediaService } from './media.service';

const reportSchema = z.object({
  instanceId: z.string(),
  state: z.enum(['active', 'cordoned', 'draining']),
  consumers: z.number(),
  capacity: z.number(),
  cpu: z.number(),
  rooms: z.number(),
  peers: z.number().optional(),
  address: z.string().optional(),
  at: z.number(),
});

export type HostState = MediaHostReport['state'];

/**
 * The media hosts of the deployment, as a role: every instance whose MEDIA_ROLE is `on` or `only`
 * publishes its load each beat in one Redis hash (consumers, its workers' CPU share, classes hosted) with
 * the state an operator gave it (active, cordoned, draining: a Redis key per host, so any instance's admin
 * API can set it). A new class's media goes to the least-loaded active host (domain/host-placement.ts).
 * A draining host moves its classes away: it closes them with a rejoin notice, and the browsers' next
 * join is placed elsewhere; its HTTP readiness turns false too.
 */
@Injectable()
export class MediaHosts implements OnModuleDestroy {
  private readonly logger = new Logger('MediaHosts');
  private timer: NodeJS.Timeout | null = null;
  private lastCpu: { seconds: number; at: number } | null = null;
  private state: HostState = 'active';
  private instanceId = '';
  /** One deployment's hosts (QUEUE_PREFIX: every instance of a deployment shares it, another deployment on the same Redis does not). */
  private readonly hostsKey: string;
  private readonly stateKey: (instanceId: string) => string;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly media: MediaService,
    private readonly readiness: Readiness,
  ) {
    this.hostsKey = `${config.queuePrefix}:media:hosts`;
    this.stateKey = (id) => `${config.queuePrefix}:media:host-state:${id}`;
  }

  get hostsMedia(): boolean {
    return this.config.media.role !== 'off';
  }

  /** Called by the media cluster with its instance id (one id per process for both). */
  start(instanceId: string): void {
    this.instanceId = instanceId;
    if (!this.hostsMedia) return;
    void this.publish();
    this.timer = setInterval(() => void this.publish(), this.config.presence.beatMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.instanceId && this.hostsMedia)
      await this.redis.hdel(this.hostsKey, this.instanceId).catch(() => undefined);
  }

  private async publish(): Promise<void> {
    try {
      const given = (await this.redis.get(this.stateKey(this.instanceId))) as HostState | null;
      const next: HostState = given === 'cordoned' || given === 'draining' ? given : 'active';
      if (next !== this.state) this.stateChanged(this.state, next);
      this.state = next;
      const load = await this.media.load();
      const now = Date.now();
      const seconds = load.workers.reduce((a, w) => a + w.cpuSeconds, 0);
      const cpu = this.lastCpu
        ? cpuShare(this.lastCpu.seconds, seconds, (now - this.lastCpu.at) / 1000, Math.max(1, load.workers.length))
        : 0;
      this.lastCpu = { seconds, at: now };
      const report: MediaHostReport = {
        instanceId: this.instanceId,
        state: this.state,
        consumers: load.workers.reduce((a, w) => a + w.consumers, 0),
        capacity: this.config.media.workers * this.config.media.consumersPerWorker,
        cpu,
        rooms: load.rooms,
        peers: load.peers,
        address: this.config.media.announcedAddress ?? this.config.media.listenIp,
        at: now,
      };
      await this.redis.hset(this.hostsKey, this.instanceId, JSON.stringify(report));
      if (this.state === 'draining') this.moveClassesAway();
    } catch (e) {
      this.logger.warn(`could not publish this media host's load: ${(e as Error).message}`);
    }
  }

  private stateChanged(from: HostState, to: HostState): void {
    this.logger.log(`media host ${this.instanceId}: ${from} -> ${to}`);
    if (to === 'draining') this.readiness.drain('media host draining');
    if (from === 'draining') this.readiness.undrain();
  }

  /** Closes every class hosted here with a rejoin notice: the browsers join again and are placed elsewhere. */
  private moveClassesAway(): void {
    for (const sessionId of this.media.hostedClasses()) {
      this.logger.log(`draining: moving the media of class ${sessionId} to another host`);
      this.media.closeRoom(sessionId, 'The media server is moving this class; reconnecting');
    }
  }

  /** Every media host that published, newest report each (stale ones are dropped from the hash). */
  async list(): Promise<Array<MediaHostReport & { load: number; alive: boolean }>> {
    const raw = await this.redis.hgetall(this.hostsKey);
    const now = Date.now();
    const out: Array<MediaHostReport & { load: number; alive: boolean }> = [];
    for (const [id, json] of Object.entries(raw)) {
      let parsed: MediaHostReport;
      try {
        parsed = reportSchema.parse(JSON.parse(json));
      } catch {
        await this.redis.hdel(this.hostsKey, id);
        continue;
      }
      const alive = now - parsed.at < this.config.presence.ttlMs;
      // Gone for a long time (ten TTLs): forget it.
      if (now - parsed.at > this.config.presence.ttlMs * 10) {
        await this.redis.hdel(this.hostsKey, id);
        continue;
      }
      out.push({ ...parsed, load: hostLoad(parsed), alive });
    }
    return out.sort((a, b) => (a.instanceId < b.instanceId ? -1 : 1));
  }

  /** The host for a new class: the least-loaded active one (this one when within the local margin), else this instance if it hosts media, else null. */
  async place(): Promise<string | null> {
    const chosen = pickMediaHost(
      await this.list(),
      Date.now(),
      this.config.presence.ttlMs,
      this.hostsMedia ? this.instanceId : undefined,
    );
    if (chosen) return chosen;
    return this.hostsMedia && this.state === 'active' ? this.instanceId : null;
  }

  /** An operator sets a host's state (any instance may: the host reads it at its next beat). */
  async setState(instanceId: string, state: HostState): Promise<MediaHostReport & { load: number; alive: boolean }> {
    const host = (await this.list()).find((h) => h.instanceId === instanceId);
    if (!host) throw new NotFoundError('MEDIA_HOST_NOT_FOUND', 'No media host with that id has published lately');
    if (state === 'active') await this.redis.del(this.stateKey(instanceId));
    else await this.redis.set(this.stateKey(instanceId), state);
    return { ...host, state };
  }
}
