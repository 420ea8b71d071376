import { HttpClient } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import type { RosterView } from '@contracts/api';
import { firstValueFrom } from 'rxjs';

@Injectable({ providedIn: 'root' })
export class RosterApi {
  private readonly http = inject(HttpClient);

  roster(): Promise<RosterView> {
    return firstValueFrom(this.http.get<RosterView>('/api/roster'));
  }

  /** Asks for a roster sync from the LMS now (it runs in the background; roster() shows its progress). */
  sync(): Promise<unknown> {
    return firstValueFrom(this.http.post('/api/roster/sync', {}));
  }
}
