import { HttpClient } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import type { RecordingPlayback, RecordingSummary } from '@contracts/recording-playback';
import type { BoardTimeline } from '@recording-domain/board-timeline';
import { firstValueFrom } from 'rxjs';

/** The course's recordings (REST, every call with the session token). */
@Injectable({ providedIn: 'root' })
export class RecordingsApi {
  private readonly http = inject(HttpClient);

  list(): Promise<RecordingSummary[]> {
    return firstValueFrom(this.http.get<RecordingSummary[]>('/api/recordings'));
  }

  playback(id: string): Promise<RecordingPlayback> {
    return firstValueFrom(this.http.get<RecordingPlayback>(`/api/recordings/${encodeURIComponent(id)}`));
  }

  setHidden(id: string, hidden: boolean): Promise<RecordingSummary> {
    return firstValueFrom(
      this.http.put<RecordingSummary>(`/api/recordings/${encodeURIComponent(id)}/hidden`, { hidden }),
    );
  }

  retry(id: string): Promise<RecordingSummary> {
    return firstValueFrom(this.http.post<RecordingSummary>(`/api/recordings/${encodeURIComponent(id)}/retry`, {}));
  }

  savePosition(id: string, positionMs: number): Promise<unknown> {
    return firstValueFrom(
      this.http.put(`/api/recordings/${encodeURIComponent(id)}/position`, { positionMs: Math.floor(positionMs) }),
    );
  }

  /** The board over time, from its signed link (no session token: the link is the permission). */
  async board(url: string): Promise<BoardTimeline> {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`board ${res.status}`);
    return (await res.json()) as BoardTimeline;
  }
}
