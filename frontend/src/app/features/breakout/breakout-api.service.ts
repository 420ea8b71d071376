import { HttpClient } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import type { BreakoutPlanBody, BreakoutPlanView, BreakoutRoomRecord } from '@contracts/breakout';
import { firstValueFrom } from 'rxjs';

/** Breakout plans of the course (instructors) and a class's rooms after it, over HTTP. */
@Injectable({ providedIn: 'root' })
export class BreakoutApi {
  private readonly http = inject(HttpClient);

  plans(): Promise<BreakoutPlanView[]> {
    return firstValueFrom(this.http.get<BreakoutPlanView[]>('/api/breakouts/plans'));
  }

  savePlan(body: BreakoutPlanBody): Promise<BreakoutPlanView> {
    return firstValueFrom(this.http.post<BreakoutPlanView>('/api/breakouts/plans', body));
  }

  deletePlan(id: string): Promise<unknown> {
    return firstValueFrom(this.http.delete(`/api/breakouts/plans/${encodeURIComponent(id)}`));
  }

  rooms(sessionId: string): Promise<BreakoutRoomRecord[]> {
    return firstValueFrom(
      this.http.get<BreakoutRoomRecord[]>(`/api/breakouts/sessions/${encodeURIComponent(sessionId)}/rooms`),
    );
  }
}
