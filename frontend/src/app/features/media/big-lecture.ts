import { signal } from '@angular/core';
import {
  BroadcastAckData,
  BroadcastEvents,
  BroadcastServerEvents,
  type BroadcastServerPayloads,
  type MediaPaths,
  type MediaRoute,
} from '@contracts/broadcast';
import type { RoomSocket } from '../../core/room-socket.service';

/**
 * Big lectures in the room: where this person's media goes (WebRTC, or the class's HLS broadcast when
 * the class is busy), being let onto WebRTC by the instructor, and, for instructors, how many are on each
 * path. The server decides (media/domain/hls-handoff.ts); this only asks and listens.
 */
export class BigLecture {
  /** Where our media goes now (null until asked). */
  readonly route = signal<MediaRoute | null>(null);
  /** Instructors: how many are on each path, and who watches the broadcast. */
  readonly paths = signal<MediaPaths | null>(null);
  /** Set when the instructor lets us speak (the room then joins WebRTC). */
  readonly promotedAt = signal(0);

  constructor(private readonly room: RoomSocket) {
    room.listen(BroadcastServerEvents.promoted, () => this.promotedAt.set(Date.now()));
    room.listen(BroadcastServerEvents.paths, (p: BroadcastServerPayloads[typeof BroadcastServerEvents.paths]) =>
      this.paths.set(p),
    );
  }

  /** Asks where our media goes; WebRTC when the server cannot say (the SFU join then decides). */
  async decide(): Promise<MediaRoute> {
    const ack = await this.room.request<BroadcastAckData[typeof BroadcastEvents.route]>(BroadcastEvents.route, {});
    const route: MediaRoute = ack.ok ? ack.data : { path: 'webrtc' };
    this.route.set(route);
    return route;
  }

  async refreshPaths(): Promise<void> {
    const ack = await this.room.request<MediaPaths>(BroadcastEvents.paths, {});
    if (ack.ok) this.paths.set(ack.data);
  }

  async promote(userId: string): Promise<void> {
    const ack = await this.room.request<MediaPaths>(BroadcastEvents.promote, { userId });
    if (ack.ok) this.paths.set(ack.data);
  }

  onHls(userId: string): boolean {
    return this.paths()?.hlsUserIds.includes(userId) ?? false;
  }
}
