import { INestApplicationContext, Logger } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import Redis from 'ioredis';
import type { Namespace, Server, ServerOptions } from 'socket.io';
import { SocketAuthenticator } from './auth/socket-auth';
import { MAX_PAYLOAD_BYTES } from '../contracts/realtime';
import { Metrics } from './metrics/metrics';
import type { SocketData } from './socket-events';

/**
 * Socket.io over Redis pub/sub: a message emitted to a room on one backend instance reaches sockets
 * connected to every other instance.
 */
export class RedisIoAdapter extends IoAdapter {
  private readonly adapterLogger = new Logger('RedisIoAdapter');
  private pub?: Redis;
  private sub?: Redis;

  constructor(
    private readonly appContext: INestApplicationContext,
    private readonly redisUrl: string,
    private readonly keyPrefix: string,
  ) {
    super(appContext);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    this.pub = new Redis(this.redisUrl, { maxRetriesPerRequest: null });
    this.sub = new Redis(this.redisUrl, { maxRetriesPerRequest: null });
    for (const c of [this.pub, this.sub])
      c.on('error', (e) => this.adapterLogger.warn(`socket.io Redis adapter: ${e.message}`));
    // The adapter publishes without awaiting: an emit racing the shutdown (a timer, a disconnect
    // handler) would otherwise surface as an unhandled rejection. Nothing is lost that anyone awaits.
    const publish = this.pub.publish.bind(this.pub) as (...a: unknown[]) => Promise<number>;
    (this.pub as unknown as { publish: (...a: unknown[]) => Promise<number> }).publish = (...a: unknown[]) => {
      const p = publish(...a);
      p.catch((e: Error) => this.adapterLogger.debug(`socket.io Redis adapter publish failed: ${e.message}`));
      return p;
    };
    const server: Server = super.createIOServer(port, {
      ...(options as ServerOptions),
      path: options?.path ?? '/socket.io',
      // Only websockets: no long-polling, so no sticky sessions are needed behind a load balancer.
      transports: ['websocket'],
      // Larger frames than any valid event are refused by the gateway with an ack error; this is
      // only the hard stop that protects the process.
      maxHttpBufferSize: MAX_PAYLOAD_BYTES * 8,
      pingInterval: 10_000,
      pingTimeout: 8_000,
    });
    server.adapter(createAdapter(this.pub, this.sub, { key: `${this.keyPrefix}:socket.io` }));
    // Every namespace, now and later, authenticates its sockets the same way, before any gateway sees them.
    const auth = this.appContext.get(SocketAuthenticator, { strict: false });
    // The same proxies Express trusts (TRUST_PROXY) tell a socket's client address (its connection rate limit).
    const express = (
      this.appContext as unknown as { getHttpAdapter?: () => { getInstance(): { get(k: string): unknown } } }
    )
      .getHttpAdapter?.()
      .getInstance();
    const trust = express?.get('trust proxy fn');
    if (typeof trust === 'function') auth.trustProxy = trust as (addr: string, hop: number) => boolean;
    server.use(auth.middleware);
    server.on('new_namespace', (ns: Namespace) => ns.use(auth.middleware));
    // Nest binds each gateway's handlers to a socket with a 'disconnect' listener of its own: one per
    // gateway (eleven with breakouts), past Node's default warning threshold of ten. Not a leak.
    // The same for the namespace's own 'connection' listeners (one per gateway too).
    server.on('connection', (socket: { setMaxListeners(n: number): void }) => socket.setMaxListeners(32));
    server.of('/').setMaxListeners(32);
    this.countSockets(server);
    return server;
  }

  /** Gauges read at each scrape from this instance's own sockets: connected, in a class, classes. */
  private countSockets(server: Server): void {
    const metrics = this.appContext.get(Metrics, { strict: false });
    const sockets = () => [...server.of('/').sockets.values()];
    metrics.gauge('lectern_sockets_connected', 'Sockets connected to this instance', [], async () => [
      { value: sockets().length },
    ]);
    metrics.gauge('lectern_participants', 'Sockets of this instance that are in a class', [], async () => [
      { value: sockets().filter((s) => (s.data as SocketData | undefined)?.membership).length },
    ]);
    metrics.gauge('lectern_rooms', 'Classes with at least one socket on this instance', [], async () => [
      {
        value: new Set(
          sockets()
            .map((s) => (s.data as SocketData | undefined)?.membership?.sessionId)
            .filter(Boolean),
        ).size,
      },
    ]);
  }

  override async close(server: Server): Promise<void> {
    await super.close(server);
    await Promise.allSettled([this.pub?.quit(), this.sub?.quit()]);
  }
}
