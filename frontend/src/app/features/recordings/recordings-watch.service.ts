import { inject, Injectable, OnDestroy, signal, type WritableSignal } from '@angular/core';
import { RecordingsEvents, RecordingsServerEvents, type RecordingProgressUpdate } from '@contracts/recording-playback';
import type { Subscription } from 'rxjs';
import { io, Socket } from 'socket.io-client';
import { keepSessionRenewed } from '../../core/session-renewal';
import { LtiSession } from '../../core/lti-session.service';

/**
 * The Recordings page listening to its course: a socket (the session token at every (re)connection) that
 * asks `recordings:follow` each time it connects, and hands each `recordings:changed` (a recording became
 * ready, was hidden or shown) to the page, which reads its list again. An instructor's page also asks
 * `recordings:watch` and gets every `recordings:progress` of the course's jobs. `following` / `watching`
 * are false while they are not (the page polls instead).
 */
@Injectable()
export class RecordingsWatch implements OnDestroy {
  private readonly session = inject(LtiSession);
  private socket?: Socket;
  private renewal?: Subscription;
  private onUpdate?: (u: RecordingProgressUpdate) => void;
  readonly following = signal(false);
  readonly watching = signal(false);

  start(onChanged: () => void): void {
    if (this.socket || !this.session.token()) return;
    const socket = io({
      path: '/socket.io',
      transports: ['websocket'],
      auth: (cb) => cb({ token: this.session.token() }),
      reconnectionDelay: 1000,
      reconnectionDelayMax: 10_000,
    });
    this.socket = socket;
    // Its session ended (past its lifetime, platform disabled): no more pushes; the page's own calls say why.
    this.renewal = keepSessionRenewed(socket, this.session, () => {
      this.following.set(false);
      this.watching.set(false);
    });
    socket.on('connect', () => {
      this.ask(RecordingsEvents.follow, this.following);
      if (this.onUpdate) this.ask(RecordingsEvents.watch, this.watching);
    });
    socket.on('disconnect', () => {
      this.following.set(false);
      this.watching.set(false);
    });
    socket.on(RecordingsServerEvents.changed, () => onChanged());
    socket.on(RecordingsServerEvents.progress, (u: RecordingProgressUpdate) => this.onUpdate?.(u));
  }

  /** An instructor's page: the course's jobs' progress too (from now and at every reconnection). */
  watchProgress(onUpdate: (u: RecordingProgressUpdate) => void): void {
    if (this.onUpdate) return;
    this.onUpdate = onUpdate;
    if (this.socket?.connected) this.ask(RecordingsEvents.watch, this.watching);
  }

  private ask(event: string, done: WritableSignal<boolean>): void {
    this.socket
      ?.timeout(8000)
      .emitWithAck(event, {})
      .then(
        (ack: { ok: boolean }) => done.set(ack.ok),
        () => done.set(false),
      );
  }

  ngOnDestroy(): void {
    this.renewal?.unsubscribe();
    this.socket?.disconnect();
    this.socket = undefined;
  }
}
