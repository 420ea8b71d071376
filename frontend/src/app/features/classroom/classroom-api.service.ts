import { HttpClient } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import type { LiveSessionView, LobbyView, StartClassResponse } from '@contracts/api';
import { firstValueFrom } from 'rxjs';

@Injectable({ providedIn: 'root' })
export class ClassroomApi {
  private readonly http = inject(HttpClient);

  lobby(): Promise<LobbyView> {
    return firstValueFrom(this.http.get<LobbyView>('/api/lobby'));
  }

  startClass(): Promise<StartClassResponse> {
    return firstValueFrom(this.http.post<StartClassResponse>('/api/classroom/sessions', {}));
  }

  endClass(id: string): Promise<LiveSessionView> {
    return firstValueFrom(this.http.post<LiveSessionView>(`/api/classroom/sessions/${encodeURIComponent(id)}/end`, {}));
  }

  session(id: string): Promise<LiveSessionView> {
    return firstValueFrom(this.http.get<LiveSessionView>(`/api/classroom/sessions/${encodeURIComponent(id)}`));
  }
}
