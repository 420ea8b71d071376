import { HttpClient } from '@angular/common/http';
import { computed, inject, Injectable, signal } from '@angular/core';
import type { SessionExchangeResponse } from '@contracts/api';
import { firstValueFrom } from 'rxjs';

const STORAGE_KEY = 'lectern.session';

/**
 * The SPA's session: a short-lived token the tool issued for this launch, sent as a Bearer token.
 * Kept in memory, and in sessionStorage when the browser allows it (inside an LMS iframe with
 * third-party storage blocked it does not, and a reload then asks for a new launch).
 */
@Injectable({ providedIn: 'root' })
export class LtiSession {
  private readonly http = inject(HttpClient);
  private readonly state = signal<SessionExchangeResponse | null>(readStored());

  readonly token = computed(() => {
    const s = this.state();
    return s && new Date(s.expiresAt).getTime() > Date.now() ? s.token : null;
  });

  /** Trades the launch code for the session; returns where the app should open. */
  async exchange(code: string): Promise<SessionExchangeResponse['landing']> {
    const session = await firstValueFrom(this.http.post<SessionExchangeResponse>('/api/session/exchange', { code }));
    this.state.set(session);
    try {
      sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
    } catch {
      /* storage blocked (third-party iframe): memory only */
    }
    return session.landing;
  }

  clear(): void {
    this.state.set(null);
    try {
      sessionStorage.removeItem(STORAGE_KEY);
    } catch {
      /* nothing stored */
    }
  }
}

function readStored(): SessionExchangeResponse | null {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    return raw ? (JSON.parse(raw) as SessionExchangeResponse) : null;
  } catch {
    return null;
  }
}
