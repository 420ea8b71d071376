import crypto from 'node:crypto';
import type { types } from 'mediasoup';
import type { HostReply, HostRequest, HostRequestOf, PipedProducer, PipeTuple } from '../../contracts/media-host';
import { ConflictError, DomainError, NotFoundError } from '../../platform/domain-error';
import type { ProducerData } from './media-peer';

/** How one host reaches another (the media cluster: local when `host` is this one, else over Redis). */
export interface HostBroker {
  /** This host's instance id. */
  readonly self: string;
  call<R extends HostRequest>(host: string, request: R): Promise<HostReply<R>>;
}

export interface HostLinksOptions {
  sessionId: string;
  broker: HostBroker;
  /** Where this host's pipe transports listen, and the address the other host is told (when not the same). */
  listen: { listen: string; announced: string | undefined };
  /** The UDP ports they may take (MEDIA_PIPE_PORT_MIN..MAX: the range an operator opened); null: any free port. */
  ports: { min: number; max: number } | null;
  srtp: boolean;
  /** A router of the class on this host to put a link on (created when the class has none yet). */
  anyRouter(): Promise<{ workerIndex: number; router: types.Router }>;
  /** A producer of one of this host's own peers, and the worker it is on. */
  localProducer(producerId: string): { producer: types.Producer<ProducerData>; workerIndex: number } | null;
  /** Makes a producer of worker `from` available on worker `to`'s router of the class (a pipe inside this host). */
  routerFor(from: number, producerId: string, to: number): Promise<types.Router>;
}

/**
 * An inbound link that has carried nothing for this long closes (both ends): a class whose people no
 * longer consume across hosts frees its pipe transports. Long enough that a camera turned off and on again
 * keeps its link.
 */
export const LINK_IDLE_MS = 2000;

interface Link {
  id: string;
  /** The other host. */
  host: string;
  /** in: this host pulls the other's producers over it; out: the other host pulls this host's. */
  direction: 'in' | 'out';
  transport: types.PipeTransport;
  workerIndex: number;
  /** in: the other host's producers, produced again here (same ids). */
  pulled: Map<string, types.Producer<ProducerData>>;
  /** out: the consumers sending this host's producers over. */
  sent: Map<string, types.Consumer>;
}

/**
 * One class's links to its other media hosts (Jitsi's Octo, with mediasoup pipe transports): a router
 * on one host consumes a producer of another host by opening a link to it (a PipeTransport on each
 * side, each connected to the other's address, exchanged over the host protocol), asking for the
 * producer over it (the other host consumes it into its end) and producing it again here under the
 * same id. From then on this host's consumers consume it like any producer of the class. Either side
 * tells the other what changes: a producer closed, paused or resumed at its source; the link closed
 * (the class's media closed on one host). A host that goes silent has its links closed by the beat
 * (`hostGone`), which closes the producers pulled from it and so their consumers here, whose browsers
 * are told. Links are one-way (each host opens its own to pull), so each side owns what it opened.
 */
export class HostLinks {
  private readonly links = new Map<string, Link>();
  /** The open (or opening) inbound link to each host. */
  private readonly inbound = new Map<string, Promise<Link>>();
  /** Producers pulled (or being pulled) from other hosts, by producer id. */
  private readonly pulling = new Map<
    string,
    Promise<{ producer: types.Producer<ProducerData>; workerIndex: number }>
  >();
  /** What the other host said of a producer while it was still being produced here (applied once it is). */
  private readonly early = new Map<string, 'closed' | 'paused' | 'resumed'>();
  private closed = false;
  /** Pulls under way from each host (its inbound link is not idle while one is). */
  private readonly pullsFrom = new Map<string, number>();
  private readonly idleTimers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly o: HostLinksOptions) {}

  /** A producer pulled from another host already, with the worker of the link it arrived on. */
  pulled(producerId: string): { producer: types.Producer<ProducerData>; workerIndex: number } | null {
    for (const link of this.links.values()) {
      const producer = link.pulled.get(producerId);
      if (producer && !producer.closed) return { producer, workerIndex: link.workerIndex };
    }
    return null;
  }

  /** The hosts this class has a link with (either way). */
  hosts(): string[] {
    return [...new Set([...this.links.values()].map((l) => l.host))];
  }

  /** Counts for tests and the ops view. */
  counts(): { links: number; pulled: number; sent: number } {
    let pulled = 0;
    let sent = 0;
    for (const l of this.links.values()) {
      pulled += l.pulled.size;
      sent += l.sent.size;
    }
    return { links: this.links.size, pulled, sent };
  }

  /** The UDP port each open link's pipe transport took here, by the other host and direction (the ops view, tests). */
  ports(): Array<{ host: string; direction: 'in' | 'out'; port: number }> {
    return [...this.links.values()].map((l) => ({
      host: l.host,
      direction: l.direction,
      port: l.transport.tuple.localPort,
    }));
  }

  /** Makes another host's producer available here (opening the link to that host first when needed). */
  pull(host: string, producerId: string): Promise<{ producer: types.Producer<ProducerData>; workerIndex: number }> {
    const have = this.pulled(producerId);
    if (have) return Promise.resolve(have);
    let pending = this.pulling.get(producerId);
    if (!pending) {
      this.pullsFrom.set(host, (this.pullsFrom.get(host) ?? 0) + 1);
      pending = (async () => {
        const link = await this.inboundLink(host);
        const piped = await this.o.broker.call(host, {
          op: 'pipeProduce',
          sessionId: this.o.sessionId,
          linkId: link.id,
          producerId,
        });
        if (link.transport.closed)
          throw new DomainError('MEDIA_MOVED', 'The link to the other media server closed', 409);
        const producer = await link.transport.produce<ProducerData>({
          id: piped.producerId,
          kind: piped.kind,
          rtpParameters: piped.rtpParameters as types.RtpParameters,
          paused: piped.paused,
          appData: { peerId: piped.peerId, userId: piped.userId, source: piped.source },
        });
        link.pulled.set(producerId, producer);
        producer.observer.once('close', () => {
          link.pulled.delete(producerId);
          this.watchIdle(link);
        });
        // The source paused, resumed or closed between the other host's answer and this production.
        const early = this.early.get(producerId);
        this.early.delete(producerId);
        if (early === 'closed') producer.close();
        else if (early === 'paused') await producer.pause();
        else if (early === 'resumed') await producer.resume();
        return { producer, workerIndex: link.workerIndex };
      })().finally(() => {
        this.pulling.delete(producerId);
        this.early.delete(producerId);
        const left = (this.pullsFrom.get(host) ?? 1) - 1;
        if (left > 0) this.pullsFrom.set(host, left);
        else this.pullsFrom.delete(host);
        // A pull that failed may leave its link carrying nothing.
        void this.inbound.get(host)?.then(
          (l) => this.watchIdle(l),
          () => undefined,
        );
      });
      this.pulling.set(producerId, pending);
    }
    return pending;
  }

  private inboundLink(host: string): Promise<Link> {
    let pending = this.inbound.get(host);
    if (!pending) {
      pending = (async () => {
        const link = await this.newLink(host, 'in', crypto.randomUUID());
        try {
          const theirs = await this.o.broker.call(host, {
            op: 'pipeConnect',
            sessionId: this.o.sessionId,
            from: this.o.broker.self,
            linkId: link.id,
            tuple: this.tupleOf(link.transport),
          });
          await link.transport.connect(theirs);
        } catch (e) {
          link.transport.close();
          throw e;
        }
        return link;
      })();
      this.inbound.set(host, pending);
      pending.catch(() => {
        if (this.inbound.get(host) === pending) this.inbound.delete(host);
      });
    }
    return pending;
  }

  private async newLink(host: string, direction: Link['direction'], id: string): Promise<Link> {
    if (this.closed) throw new NotFoundError('MEDIA_NOT_JOINED', "This class's media closed here");
    const { workerIndex, router } = await this.o.anyRouter();
    const { ports } = this.o;
    let transport: types.PipeTransport;
    try {
      transport = await router.createPipeTransport({
        listenInfo: {
          protocol: 'udp',
          ip: this.o.listen.listen,
          announcedAddress: this.o.listen.announced,
          ...(ports ? { portRange: ports } : {}),
        },
        enableSrtp: this.o.srtp,
        // Hosts are apart on a real network: lost packets are asked for again.
        enableRtx: true,
      });
    } catch (e) {
      if (!ports) throw e;
      // Every port of the range an operator opened is taken (one per link): said so, for the log and the caller.
      throw new DomainError(
        'PIPE_PORTS_EXHAUSTED',
        `No free UDP port in MEDIA_PIPE_PORT_MIN..MAX (${ports.min}-${ports.max}) for a link between media servers: ${(e as Error).message}`,
        503,
      );
    }
    const link: Link = { id, host, direction, transport, workerIndex, pulled: new Map(), sent: new Map() };
    this.links.set(id, link);
    transport.observer.once('close', () => {
      this.links.delete(id);
      clearTimeout(this.idleTimers.get(id));
      this.idleTimers.delete(id);
      if (direction === 'in')
        void this.inbound.get(host)?.then(
          (l) => l === link && this.inbound.delete(host),
          () => undefined,
        );
    });
    if (this.closed) transport.close();
    return link;
  }

  /** An inbound link that pulls nothing (and has no pull under way) closes after LINK_IDLE_MS, telling the other end. */
  private watchIdle(link: Link): void {
    const idle = () =>
      link.direction === 'in' && !link.transport.closed && link.pulled.size === 0 && !this.pullsFrom.has(link.host);
    if (!idle() || this.idleTimers.has(link.id)) return;
    const timer = setTimeout(() => {
      this.idleTimers.delete(link.id);
      if (!idle()) return;
      // Forgotten first, so that a pull starting now opens a new link rather than finding this one closing.
      this.inbound.delete(link.host);
      this.tell(link, { kind: 'linkClosed' });
      link.transport.close();
    }, LINK_IDLE_MS);
    timer.unref();
    this.idleTimers.set(link.id, timer);
  }

  private tupleOf(transport: types.PipeTransport): PipeTuple {
    return {
      ip: transport.tuple.localAddress,
      port: transport.tuple.localPort,
      ...(transport.srtpParameters ? { srtpParameters: transport.srtpParameters } : {}),
    };
  }

  /** The other host opens a link to pull from this one: this end is created, connected to theirs, and described. */
  async accept(request: HostRequestOf<'pipeConnect'>): Promise<PipeTuple> {
    if (this.links.has(request.linkId)) throw new ConflictError('PIPE_EXISTS', 'That link is open already');
    if (!!request.tuple.srtpParameters !== this.o.srtp)
      throw new DomainError(
        'PIPE_SRTP_MISMATCH',
        'The two media servers disagree on SRTP for pipes (MEDIA_PIPE_SRTP must be the same on every media host)',
        400,
      );
    const link = await this.newLink(request.from, 'out', request.linkId);
    try {
      await link.transport.connect(request.tuple);
    } catch (e) {
      link.transport.close();
      throw new DomainError('BAD_PIPE_TUPLE', `The pipe transport refused that address: ${(e as Error).message}`, 400);
    }
    return this.tupleOf(link.transport);
  }

  /** Sends one of this host's producers over an outbound link (idempotent: asked twice, sent once). */
  async send(linkId: string, producerId: string): Promise<PipedProducer> {
    const link = this.links.get(linkId);
    if (!link || link.direction !== 'out') throw new NotFoundError('PIPE_NOT_FOUND', 'No such link to this server');
    const local = this.o.localProducer(producerId);
    if (!local) throw new NotFoundError('PRODUCER_NOT_FOUND', 'No such producer in this class');
    let consumer = link.sent.get(producerId);
    if (!consumer) {
      await this.o.routerFor(local.workerIndex, producerId, link.workerIndex);
      consumer = await link.transport.consume({ producerId });
      if (link.transport.closed || consumer.closed)
        throw new DomainError('MEDIA_MOVED', 'The link to the other media server closed', 409);
      const c = consumer;
      link.sent.set(producerId, c);
      c.observer.once('close', () => link.sent.delete(producerId));
      const tell = (event: HostRequestOf<'pipeEvent'>['event']) => this.tell(link, event);
      c.on('producerclose', () => tell({ kind: 'closed', producerId }));
      c.on('producerpause', () => tell({ kind: 'paused', producerId }));
      c.on('producerresume', () => tell({ kind: 'resumed', producerId }));
    }
    const data = local.producer.appData;
    return {
      producerId,
      kind: consumer.kind,
      rtpParameters: consumer.rtpParameters,
      paused: consumer.producerPaused,
      peerId: data.peerId,
      userId: data.userId,
      source: data.source,
    };
  }

  /** What the other end of a link said. */
  async event(linkId: string, event: HostRequestOf<'pipeEvent'>['event']): Promise<void> {
    const link = this.links.get(linkId);
    if (!link) return;
    if (event.kind === 'linkClosed') {
      link.transport.close();
      return;
    }
    const producer = link.pulled.get(event.producerId);
    if (!producer) {
      // Still being produced here (its answer and this event crossed): kept for when it is.
      if (this.pulling.has(event.producerId)) this.early.set(event.producerId, event.kind);
      return;
    }
    if (event.kind === 'closed') producer.close();
    else if (event.kind === 'paused') await producer.pause();
    else await producer.resume();
  }

  /** Hosts that stopped beating: their links close, and with them what was pulled from them or sent to them. */
  hostsGone(alive: ReadonlySet<string>): number {
    let closed = 0;
    for (const link of [...this.links.values()])
      if (!alive.has(link.host)) {
        link.transport.close();
        closed++;
      }
    return closed;
  }

  /** The class's media closes on this host: every linked host is told, every link closes. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const link of [...this.links.values()]) {
      this.tell(link, { kind: 'linkClosed' });
      link.transport.close();
    }
  }

  private tell(link: Link, event: HostRequestOf<'pipeEvent'>['event']): void {
    void this.o.broker
      .call(link.host, { op: 'pipeEvent', sessionId: this.o.sessionId, linkId: link.id, event })
      .catch(() => undefined);
  }
}
