import { inject, Injectable, OnDestroy, signal } from '@angular/core';
import { RecordingsEvents, RecordingsServerEvents, type RecordingProgressUpdate } from '@contracts/recording-playback';
import { io, Socket } from 'socket.io-client';
import { LtiSession } from '../../core/lti-session.service';

/**
 * The instructor's Recordings page listening to its course's recording jobs: a socket (the session token
 * at every (re)connection) that asks `recordings:watch` each time it connects and hands every
 * `recordings:progress` to the page. `watching` is false while it is not (the page polls instead).
 */
@Injectable()
export class RecordingsWatch implements OnDestroy {
  private readonly session = inject(LtiSession);
  private socket?: Socket;
  readonly watching = signal(false);

  start(onUpdate: (u: RecordingProgressUpdate) => void): void {
    if (this.socket || !this.session.token()) return;
    const socket = io({
      path: '/socket.io',
      transports: ['websocket'],
      auth: (cb) => cb({ token: this.session.token() }),
      reconnectionDelay: 1000,
      reconnectionDelayMax: 10_000,
    });
    this.socket = socket;
    socket.on('connect', () => {
      socket
        .timeout(8000)
        .emitWithAck(RecordingsEvents.watch, {})
        .then(
          (ack: { ok: boolean }) => this.watching.set(ack.ok),
          () => this.watching.set(false),
        );
    });
    socket.on('disconnect', () => this.watching.set(false));
    socket.on(RecordingsServerEvents.progress, (u: RecordingProgressUpdate) => onUpdate(u));
  }

  ngOnDestroy(): void {
    this.socket?.disconnect();
    this.socket = undefined;
  }
}
