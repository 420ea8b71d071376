import { DestroyRef, effect, inject, Injectable, untracked } from '@angular/core';
import { AttendanceEvents, type AttendanceAckData, type AttendancePayload } from '@contracts/attendance';
import { RoomSocket } from '../../core/room-socket.service';

/**
 * Tells the server whether this page is visible (Page Visibility API): the current state after every
 * (re)join, then each change. The server keeps the truth (active time is counted there); a report lost
 * while offline is made good by the state sent at the next join. One per room (provided by the room).
 */
@Injectable()
export class VisibilityReporter {
  private readonly room = inject(RoomSocket);
  private joined = false;

  constructor() {
    const onChange = () => {
      if (this.joined) void this.report();
    };
    document.addEventListener('visibilitychange', onChange);
    inject(DestroyRef).onDestroy(() => document.removeEventListener('visibilitychange', onChange));
    effect(() => {
      if (this.room.joins() === 0) return;
      untracked(() => {
        this.joined = true;
        void this.report();
      });
    });
    effect(() => {
      if (this.room.connection() !== 'connected') this.joined = false;
    });
  }

  private async report(): Promise<void> {
    const payload: AttendancePayload<typeof AttendanceEvents.visibility> = {
      visible: document.visibilityState === 'visible',
    };
    await this.room.request<AttendanceAckData[typeof AttendanceEvents.visibility]>(
      AttendanceEvents.visibility,
      payload,
    );
  }
}
