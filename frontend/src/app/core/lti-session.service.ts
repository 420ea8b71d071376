import { HttpClient } from '@angular/common/http';
import { computed, inject, Injectable, signal } from '@angular/core';
import { HttpHeaders } from '@angular/common/http';
import type { SessionExchangeResponse } from '@contracts/api';
import { firstValueFrom, Subject } from 'rxjs';

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

  constructor() {
    const s = this.state();
    if (s) this.scheduleRefresh(s);
  }

  /** The LMS page to go back to (from the launch), for "open Lectern again from your course"; null: not known. */
  readonly returnUrl = computed(() => this.state()?.returnUrl ?? null);

  readonly token = computed(() => {
    const s = this.state();
    return s && new Date(s.expiresAt).getTime() > Date.now() ? s.token : null;
  });

  private refreshTimer?: ReturnType<typeof setTimeout>;

  /** Each token a refresh brought: the open sockets hand it to the server (`session:renew`), or they end with the old one. */
  readonly refreshed = new Subject<string>();

  /** Five minutes before the token expires, trade it for a fresh one (a class outlasts one token). */
  private scheduleRefresh(session: SessionExchangeResponse) {
    clearTimeout(this.refreshTimer);
    const inMs = new Date(session.expiresAt).getTime() - Date.now() - 5 * 60_000;
    this.refreshTimer = setTimeout(() => void this.refresh(), Math.max(10_000, inMs));
  }

  async refresh(): Promise<void> {
    const current = this.token();
    if (!current) return;
    // A guest (invite link) has a refresh of their own: the LMS session's is refused to guests.
    const url = this.state()?.landing === 'guest' ? '/api/guest/refresh' : '/api/session/refresh';
    try {
      const session = await firstValueFrom(
        this.http.post<SessionExchangeResponse>(
          url,
          {},
          { headers: new HttpHeaders({ Authorization: `Bearer ${current}` }) },
        ),
      );
      this.store(session);
      this.refreshed.next(session.token);
    } catch {
      /* expired meanwhile: the next call says so, and the person launches again */
    }
  }

  private store(session: SessionExchangeResponse) {
    // A refresh does not repeat the launch's locale and return URL: keep the ones we have.
    const before = this.state();
    session = {
      ...session,
      locale: session.locale ?? before?.locale ?? null,
      returnUrl: session.returnUrl ?? before?.returnUrl ?? null,
    };
    this.state.set(session);
    this.scheduleRefresh(session);
    try {
      sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
    } catch {
      /* storage blocked (third-party iframe): memory only */
    }
  }

  /** Trades the launch code for the session; returns where the app should open and the LMS's language. */
  async exchange(code: string): Promise<Pick<SessionExchangeResponse, 'landing' | 'locale'>> {
    const session = await firstValueFrom(this.http.post<SessionExchangeResponse>('/api/session/exchange', { code }));
    this.state.set(null); // a new launch: nothing of an older one is kept
    this.store(session);
    return { landing: session.landing, locale: session.locale ?? null };
  }

  /** A guest by invite link: their class is all they may reach. */
  readonly guest = computed(() => this.state()?.landing === 'guest');

  /** The whole session, to hand to a window of our own (see popout.ts). */
  current(): SessionExchangeResponse | null {
    return this.token() ? this.state() : null;
  }

  /** Takes over a session handed over by the window that opened this one. */
  adopt(session: SessionExchangeResponse): void {
    this.store(session);
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
