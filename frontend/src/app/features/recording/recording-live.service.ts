import { computed, effect, inject, Injectable, signal, untracked } from '@angular/core';
import {
  RecordingEvents,
  RecordingServerEvents,
  type RecordingAckData,
  type RecordingState,
} from '@contracts/recording';
import { TranslocoService } from '@jsverse/transloco';
import { LanguageService } from '../../core/i18n/i18n';
import { RoomSocket } from '../../core/room-socket.service';
import { recordingView } from './recording-view';

/**
 * The class's recording as this page knows it: asked for at every (re)join, kept current by the
 * server's `recording:state`; the banner shows at joining and at each change until dismissed.
 * Instructors pause and resume.
 */
@Injectable()
export class RecordingLive {
  private readonly room = inject(RoomSocket);
  readonly state = signal<RecordingState | null>(null);
  private readonly i18n = inject(TranslocoService);
  private readonly language = inject(LanguageService);
  readonly view = computed(() =>
    recordingView(this.state(), (key, params) => (this.language.current(), this.i18n.translate(key, params))),
  );
  readonly bannerOpen = signal(false);
  readonly busy = signal(false);
  private listening = false;

  constructor() {
    effect(() => {
      if (this.room.joins() === 0) return;
      untracked(() => void this.sync());
    });
  }

  private async sync(): Promise<void> {
    if (!this.listening) {
      this.listening = true;
      this.room.listen(RecordingServerEvents.state, (s: RecordingState) => this.show(s));
    }
    const ack = await this.room.request<RecordingAckData[typeof RecordingEvents.sync]>(RecordingEvents.sync, {});
    if (ack.ok) this.show(ack.data, this.state()?.status !== ack.data.status);
  }

  private show(state: RecordingState, announce = true): void {
    this.state.set(state);
    if (announce) this.bannerOpen.set(state.status !== 'off');
  }

  async setPaused(paused: boolean): Promise<void> {
    this.busy.set(true);
    try {
      const ack = await this.room.request<RecordingAckData[typeof RecordingEvents.pause]>(RecordingEvents.pause, {
        paused,
      });
      if (ack.ok) this.show(ack.data);
      else this.room.notice.set(this.language.errorText(ack.error));
    } finally {
      this.busy.set(false);
    }
  }
}
