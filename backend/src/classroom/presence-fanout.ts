import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import type { Server, Socket } from 'socket.io';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config';
import { ServerEvents, type Participant } from '../contracts/realtime';
import { batchesChange, PresenceBatch, type PresenceChange } from './domain/presence-batch';
import { roomOf } from './socket-rooms';

/**
 * Tells a room's members who arrived, changed and left. In a small room each change goes out at once
 * (`presence:joined|updated|left`); in a room of `presence.batchAbove` people or more, this instance's
 * changes wait up to `presence.batchMs` and go out as one `presence:batch`. A join storm in a lecture
 * hall otherwise costs every member one message per arrival (quadratic in the room's size, through
 * every instance and the load balancer); batched, one per window.
 */
@Injectable()
export class PresenceFanout implements OnModuleDestroy {
  private server?: Server;
  private readonly open = new Map<string, { batch: PresenceBatch; timer: NodeJS.Timeout }>();
  /** Each room's size as last seen by a join on this instance. */
  private readonly sizes = new Map<string, number>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  attach(server: Server): void {
    this.server = server;
  }

  onModuleDestroy(): void {
    for (const sessionId of [...this.open.keys()]) this.flush(sessionId);
  }

  /** Someone arrived; `from` (their socket) does not need to hear it when it goes out at once. */
  joined(sessionId: string, participant: Participant, roomSize: number, from?: Socket): void {
    this.sizes.set(sessionId, roomSize);
    this.change(sessionId, { kind: 'present', participant }, () =>
      (from ? from.to(roomOf(sessionId)) : this.server?.to(roomOf(sessionId)))?.emit(ServerEvents.joined, participant),
    );
  }

  updated(sessionId: string, participant: Participant): void {
    this.change(sessionId, { kind: 'present', participant }, () =>
      this.server?.to(roomOf(sessionId)).emit(ServerEvents.updated, participant),
    );
  }

  left(sessionId: string, userId: string): void {
    this.change(sessionId, { kind: 'gone', userId }, () =>
      this.server?.to(roomOf(sessionId)).emit(ServerEvents.left, { userId }),
    );
    const size = this.sizes.get(sessionId); // decided at the room's size before this departure
    if (size) this.sizes.set(sessionId, size - 1);
  }

  /** The class ended: what waits is sent now, and the room is forgotten. */
  ended(sessionId: string): void {
    this.flush(sessionId);
    this.sizes.delete(sessionId);
  }

  private change(sessionId: string, change: PresenceChange, now: () => void): void {
    const open = this.open.get(sessionId);
    const { batchAbove, batchMs } = this.config.presence;
    if (!batchesChange(this.sizes.get(sessionId) ?? 0, batchAbove, !!open)) return now();
    if (open) return open.batch.add(change);
    const batch = new PresenceBatch();
    batch.add(change);
    const timer = setTimeout(() => this.flush(sessionId), batchMs);
    timer.unref();
    this.open.set(sessionId, { batch, timer });
  }

  private flush(sessionId: string): void {
    const open = this.open.get(sessionId);
    if (!open) return;
    this.open.delete(sessionId);
    clearTimeout(open.timer);
    if (open.batch.size) this.server?.to(roomOf(sessionId)).emit(ServerEvents.presenceBatch, open.batch.drain());
  }
}
