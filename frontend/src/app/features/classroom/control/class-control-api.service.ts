import { HttpClient } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import type {
  ClassSummary,
  GuestEnterResponse,
  GuestLinkCreated,
  GuestLinkInfo,
  GuestLinkView,
} from '@contracts/class-control';
import { firstValueFrom } from 'rxjs';

/** Class control over HTTP: guest links (instructor and guest sides) and the summary of an ended class. */
@Injectable({ providedIn: 'root' })
export class ClassControlApi {
  private readonly http = inject(HttpClient);

  links(): Promise<GuestLinkView[]> {
    return firstValueFrom(this.http.get<GuestLinkView[]>('/api/classroom/guest-links'));
  }

  createLink(options: {
    label?: string;
    expiresInMinutes: number;
    singleUse: boolean;
    needsAdmission: boolean;
  }): Promise<GuestLinkCreated> {
    return firstValueFrom(this.http.post<GuestLinkCreated>('/api/classroom/guest-links', options));
  }

  revoke(id: string): Promise<GuestLinkView> {
    return firstValueFrom(
      this.http.post<GuestLinkView>(`/api/classroom/guest-links/${encodeURIComponent(id)}/revoke`, {}),
    );
  }

  summary(sessionId: string): Promise<ClassSummary> {
    return firstValueFrom(
      this.http.get<ClassSummary>(`/api/classroom/sessions/${encodeURIComponent(sessionId)}/summary`),
    );
  }

  linkInfo(token: string): Promise<GuestLinkInfo> {
    return firstValueFrom(this.http.post<GuestLinkInfo>('/api/guest/link', { token }));
  }

  enter(token: string, name: string): Promise<GuestEnterResponse> {
    return firstValueFrom(this.http.post<GuestEnterResponse>('/api/guest/enter', { token, name }));
  }
}
