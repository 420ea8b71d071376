import { Ack, ClientEvents } from '@contracts/realtime';
import type { MediaAckData, MediaEventName, MediaPayload, MediaServerPayloads } from '@contracts/media';
import { RoomSocket } from '../../core/room-socket.service';

/** A media request the server refused (or that could not reach it): its code says which. */
export class MediaRequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The media part of the wire contract over the room's socket: typed requests with their acks, typed server events. */
export class MediaSignalling {
  constructor(private readonly room: RoomSocket) {}

  /** Sends a media request; resolves with its ack's data or rejects with a MediaRequestError. */
  async request<E extends MediaEventName>(event: E, payload: MediaPayload<E>): Promise<MediaAckData[E]> {
    const ack: Ack<MediaAckData[E]> = await this.room.request<MediaAckData[E]>(event, payload);
    if (!ack.ok) throw new MediaRequestError(ack.error.code, ack.error.message);
    return ack.data;
  }

  on<E extends keyof MediaServerPayloads>(event: E, handler: (payload: MediaServerPayloads[E]) => void): void {
    this.room.listen(event, handler as (p: never) => void);
  }

  /** The room's participant flags follow our media (what others see in the people list). */
  announce(flags: { camera: boolean; mic: boolean }): void {
    void this.room.request(ClientEvents.media, flags);
  }
}
