import { signal } from '@angular/core';
import type { Participant } from '@contracts/realtime';

export interface HandNotice {
  userId: string;
  name: string;
}

/** How long a raised-hand toast stays (the hand itself stays in the people list until lowered). */
const SHOW_MS = 8000;

/**
 * An instructor's notice of raised hands: each hand that goes up shows a toast (announced to screen
 * readers by the room's live region) and plays one short, quiet tone. Hands already up when the
 * instructor arrives are listed, not announced.
 */
export class HandNotices {
  readonly shown = signal<HandNotice[]>([]);
  private up: Set<string> | null = null;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private audio: AudioContext | null = null;

  see(people: readonly Participant[]): void {
    const now = new Set(people.filter((p) => p.handRaised).map((p) => p.userId));
    const before = this.up;
    this.up = now;
    if (!before) return;
    const raised = people.filter((p) => p.handRaised && !before.has(p.userId));
    // A lowered hand takes its toast away.
    this.shown.update((list) => list.filter((n) => now.has(n.userId)));
    if (!raised.length) return;
    this.shown.update((list) => [...list, ...raised.map((p) => ({ userId: p.userId, name: p.name }))].slice(-4));
    for (const p of raised) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.dismiss(p.userId);
      }, SHOW_MS);
      this.timers.add(timer);
    }
    this.chime();
  }

  dismiss(userId: string): void {
    this.shown.update((list) => list.filter((n) => n.userId !== userId));
  }

  /** One soft 880 Hz tone of 150 ms (browsers that allow no sound yet stay silent; the toast remains). */
  private chime(): void {
    try {
      this.audio ??= new AudioContext();
      const ctx = this.audio;
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.frequency.value = 880;
      gain.gain.setValueAtTime(0.08, ctx.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + 0.15);
      osc.connect(gain).connect(ctx.destination);
      osc.start();
      osc.stop(ctx.currentTime + 0.16);
    } catch {
      /* no audio here: the toast is the notice */
    }
  }

  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    void this.audio?.close().catch(() => undefined);
    this.audio = null;
  }
}
