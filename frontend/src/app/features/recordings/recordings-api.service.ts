import { HttpClient } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import type { RecordingPlayback, RecordingSummary } from '@contracts/recording-playback';
import type { BoardTimeline } from '@recording-domain/board-timeline';
import { firstValueFrom } from 'rxjs';
import { LtiSession } from '../../core/lti-session.service';

/** The course's recordings (REST, every call with the session token). */
@Injectable({ providedIn: 'root' })
export class RecordingsApi {
  private readonly http = inject(HttpClient);
  private readonly session = inject(LtiSession);

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

  /**
   * Whether `url` is one of this tool's recording-file links: those are bound to the viewer they were
   * issued to and are fetched with the viewer's session token (S3's presigned URLs get no token).
   */
  isFileLink(url: string): boolean {
    const u = new URL(url, location.href);
    return u.origin === location.origin && u.pathname.startsWith('/api/recording-files/');
  }

  /** hls.js's `xhrSetup`: the session token on this tool's own links. */
  readonly authorizeXhr = (xhr: XMLHttpRequest, url: string): void => {
    const token = this.session.token();
    if (!token || !this.isFileLink(url)) return;
    if (xhr.readyState === XMLHttpRequest.UNSENT) xhr.open('GET', url, true);
    xhr.setRequestHeader('Authorization', `Bearer ${token}`);
  };

  /** The board over time, from its signed link (bound to this viewer: sent with the session token). */
  async board(url: string): Promise<BoardTimeline> {
    const token = this.session.token();
    const res = await fetch(
      url,
      this.isFileLink(url) && token ? { headers: { Authorization: `Bearer ${token}` } } : {},
    );
    if (!res.ok) throw new Error(`board ${res.status}`);
    return (await res.json()) as BoardTimeline;
  }
}
