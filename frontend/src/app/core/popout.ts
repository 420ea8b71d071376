import { ChangeDetectionStrategy, Component, inject, OnDestroy, OnInit, signal } from '@angular/core';
import { Router } from '@angular/router';
import type { SessionExchangeResponse } from '@contracts/api';
import { TranslocoPipe } from '@jsverse/transloco';
import { LanguageService } from './i18n/i18n';
import { LtiSession } from './lti-session.service';

type Ready = { type: 'lectern:popout-ready' };
type Handoff = { type: 'lectern:session'; session: SessionExchangeResponse; path: string };

/** Whether this page runs inside another site's frame (an LMS course page). */
export function inFrame(): boolean {
  try {
    return window.self !== window.top;
  } catch {
    return true;
  }
}

/**
 * Whether the embedding page's frame refuses this feature (an LMS iframe without
 * allow="camera; microphone; display-capture"): then only a window of our own can use it.
 */
export function frameRefuses(feature: 'camera' | 'microphone' | 'display-capture'): boolean {
  const policy = document as unknown as {
    permissionsPolicy?: { allowsFeature(f: string): boolean };
    featurePolicy?: { allowsFeature(f: string): boolean };
  };
  const p = policy.permissionsPolicy ?? policy.featurePolicy;
  try {
    return !!p && !p.allowsFeature(feature);
  } catch {
    return false;
  }
}

/**
 * Opens the app in a window of its own, already signed in, at `path`: the new window (same origin as
 * this frame, first-party, so camera, microphone and storage work) asks its opener for the session
 * with postMessage and gets it back the same way; nothing travels in a URL. Returns false when the
 * browser blocked the window.
 */
export function openPopout(session: LtiSession, path: string): boolean {
  const current = session.current();
  if (!current) return false;
  const w = window.open(`${location.origin}/popout`, '_blank');
  if (!w) return false;
  const onMessage = (ev: MessageEvent<Ready>) => {
    if (ev.origin !== location.origin || ev.source !== w || ev.data?.type !== 'lectern:popout-ready') return;
    window.removeEventListener('message', onMessage);
    const handoff: Handoff = { type: 'lectern:session', session: current, path };
    w.postMessage(handoff, location.origin);
  };
  window.addEventListener('message', onMessage);
  setTimeout(() => window.removeEventListener('message', onMessage), 30_000);
  return true;
}

/** The page a pop-out window opens on: it takes the session from its opener and goes where it was sent. */
@Component({
  selector: 'app-popout',
  imports: [TranslocoPipe],
  template: `<main class="card" style="margin:2rem auto;max-width:32rem">
    @if (failed()) {
      <p data-testid="popout-failed">{{ 'popout.failed' | transloco }}</p>
    } @else {
      <p>{{ 'popout.opening' | transloco }}</p>
    }
  </main>`,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class PopoutComponent implements OnInit, OnDestroy {
  private readonly session = inject(LtiSession);
  private readonly router = inject(Router);
  private readonly language = inject(LanguageService);
  protected readonly failed = signal(false);
  private timer?: ReturnType<typeof setTimeout>;
  private readonly onMessage = (ev: MessageEvent<Handoff>) => {
    if (ev.origin !== location.origin || ev.source !== window.opener || ev.data?.type !== 'lectern:session') return;
    const path = String(ev.data.path);
    // Only paths inside this app.
    if (!path.startsWith('/') || path.startsWith('//')) return;
    clearTimeout(this.timer);
    this.session.adopt(ev.data.session);
    this.language.useLaunchLocale(ev.data.session.locale);
    void this.router.navigateByUrl(path);
  };

  ngOnInit(): void {
    window.addEventListener('message', this.onMessage);
    const opener = window.opener as Window | null;
    if (!opener) {
      this.failed.set(true);
      return;
    }
    const ready: Ready = { type: 'lectern:popout-ready' };
    opener.postMessage(ready, location.origin);
    this.timer = setTimeout(() => this.failed.set(true), 10_000);
  }

  ngOnDestroy(): void {
    window.removeEventListener('message', this.onMessage);
    clearTimeout(this.timer);
  }
}
