import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type { Server, Socket } from 'socket.io';
import { z } from 'zod';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config';
import { ServerEvents, type Participant } from '../contracts/realtime';
import { batchesChange, PresenceBatch, type PresenceChange } from './domain/presence-batch';
import { roomOf } from './socket-rooms';

/** The instances' own message: one presence change, for each instance to tell its own sockets. */
const RELAY = 'presence:relay';

const participant = z.object({
  userId: z.string(),
  name: z.string(),
  role: z.string(),
  camera: z.boolean(),
  mic: z.boolean(),
  handRaised: z.boolean(),
  joinedAt: z.string(),
});
const relaySchema = z.discriminatedUnion('event', [
  z.object({
    event: z.literal('joined'),
    sessionId: z.string(),
    participant,
    roomSize: z.number().int().nonnegative(),
    except: z.string().optional(),
  }),
  z.object({ event: z.literal('updated'), sessionId: z.string(), participant }),
  z.object({ event: z.literal('left'), sessionId: z.string(), userId: z.string() }),
]);
type Relay = z.infer<typeof relaySchema>;

/**
 * Tells a room's members who arrived, changed and left. Each change is relayed to every instance (a
 * server-side message over the Socket.io Redis adapter), and each instance tells its OWN sockets: in a
 * small room at once (`presence:joined|updated|left`), in a room of `presence.batchAbove` people or more
 * as one `presence:batch` per `presence.batchMs` holding the changes of every instance. A join storm in a
 * lecture hall otherwise costs every member one message per arrival (quadratic in the room's size); batched
 * per instance it cost one per window per instance; merged here, one per window.
 *
 * Each instance applies the changes in the order it receives them, so its members never see a change
 * overtake an earlier one, whichever instance each came from.
 */
@Injectable()
export class PresenceFanout implements OnModuleDestroy {
  private readonly logger = new Logger(PresenceFanout.name);
  private server?: Server;
  private readonly open = new Map<string, { batch: PresenceBatch; timer: NodeJS.Timeout }>();
  /** Each room's size as last seen by a join (on any instance). */
  private readonly sizes = new Map<string, number>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  attach(server: Server): void {
    this.server = server;
    (server as unknown as { on(e: string, l: (raw: unknown) => void): void }).on(RELAY, (raw: unknown) => {
      const parsed = relaySchema.safeParse(raw);
      if (!parsed.success) return this.logger.warn(`a malformed presence relay was ignored`);
      this.deliver(parsed.data);
    });
  }

  onModuleDestroy(): void {
    for (const sessionId of [...this.open.keys()]) this.flush(sessionId);
  }

  /** Someone arrived; `from` (their socket) does not need to hear it when it goes out at once. */
  joined(sessionId: string, participant: Participant, roomSize: number, from?: Socket): void {
    this.relay({ event: 'joined', sessionId, participant, roomSize, except: from?.id });
  }

  updated(sessionId: string, participant: Participant): void {
    this.relay({ event: 'updated', sessionId, participant });
  }

  left(sessionId: string, userId: string): void {
    this.relay({ event: 'left', sessionId, userId });
  }

  /** The class ended: what waits is sent now, and the room is forgotten. */
  ended(sessionId: string): void {
    this.flush(sessionId);
    this.sizes.delete(sessionId);
  }

  private relay(change: Relay): void {
    this.deliver(change);
    this.server?.serverSideEmit(RELAY, change);
  }

  /** One change, from this instance or another, to this instance's members of the room. */
  private deliver(r: Relay): void {
    if (r.event === 'joined') this.sizes.set(r.sessionId, r.roomSize);
    const size = this.sizes.get(r.sessionId) ?? 0;
    if (r.event === 'left' && size) this.sizes.set(r.sessionId, size - 1); // decided at the size before it
    const change: PresenceChange =
      r.event === 'left'
        ? { kind: 'gone', userId: r.userId }
        : { kind: 'present', participant: r.participant as Participant };
    const open = this.open.get(r.sessionId);
    const { batchAbove, batchMs } = this.config.presence;
    if (!batchesChange(size, batchAbove, !!open)) {
      const to = this.server?.local.to(roomOf(r.sessionId));
      if (r.event === 'joined') (r.except ? to?.except(r.except) : to)?.emit(ServerEvents.joined, r.participant);
      else if (r.event === 'updated') to?.emit(ServerEvents.updated, r.participant as Participant);
      else to?.emit(ServerEvents.left, { userId: r.userId });
      return;
    }
    if (open) return open.batch.add(change);
    const batch = new PresenceBatch();
    batch.add(change);
    const timer = setTimeout(() => this.flush(r.sessionId), batchMs);
    timer.unref();
    this.open.set(r.sessionId, { batch, timer });
  }

  private flush(sessionId: string): void {
    const open = this.open.get(sessionId);
    if (!open) return;
    this.open.delete(sessionId);
    clearTimeout(open.timer);
    if (open.batch.size) this.server?.local.to(roomOf(sessionId)).emit(ServerEvents.presenceBatch, open.batch.drain());
  }
}
