import { EN } from '../../core/i18n/en';
import { translatorOf } from '../../core/i18n/language';
import type { Translate } from './question-form';

const english: Translate = translatorOf(EN);

/**
 * The countdown of a launched question: what is left, as a person reads it, and when a screen reader
 * should hear it. Pure: the clock and the server's offset are passed in.
 */

/** Milliseconds left until `closesAt` (ISO time), on a clock `offsetMs` behind the server's; never negative. */
export function remainingMs(closesAt: string, nowMs: number, offsetMs = 0): number {
  const end = Date.parse(closesAt);
  if (Number.isNaN(end)) return 0;
  return Math.max(0, end - (nowMs + offsetMs));
}

/**
 * "1:05", "0:09", "12:00"; an hour or more "1:02:03". Rounds up: a question with 200 ms left still
 * shows "0:01", and "0:00" means it is over.
 */
export function formatCountdown(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** The same time in words, for a screen reader: "1 minute 5 seconds left". */
export function spokenCountdown(ms: number, t: Translate = english): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  if (total === 0) return t('quizTeach.timeUp');
  const m = Math.floor(total / 60);
  const s = total % 60;
  const parts = [
    m ? (m === 1 ? t('quizTeach.minute') : t('quizTeach.minutes', { n: m })) : '',
    s ? (s === 1 ? t('quizTeach.second') : t('quizTeach.seconds', { n: s })) : '',
  ].filter(Boolean);
  return t('quizTeach.left', { time: parts.join(' ') });
}

/** The moments worth announcing (seconds left): a polite live region that spoke every second would talk over everything. */
const MILESTONES = [600, 300, 120, 60, 30, 10, 5, 0];

/**
 * What a polite live region should say now, or null to keep quiet. The first call says the time left;
 * after that only a milestone newly reached is said (the time then, which a throttled tab may show a
 * little past the milestone). `lastSaid` is the milestone returned last (null at first).
 */
export function countdownAnnouncement(
  ms: number,
  lastSaid: number | null,
  t: Translate = english,
): { say: string; milestone: number } | null {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  if (lastSaid === null) return { say: spokenCountdown(seconds * 1000, t), milestone: seconds };
  // The smallest milestone not yet said that the time has come down to (never one back up after a clock correction).
  const reached = MILESTONES.filter((m) => m < lastSaid && seconds <= m).at(-1);
  if (reached === undefined) return null;
  return { say: spokenCountdown(seconds * 1000, t), milestone: reached };
}

/** The server's clock minus ours, from a server time read at `receivedAtMs` (half the round trip is ignored: a second matters, not ms). */
export function clockOffset(serverNow: string, receivedAtMs: number): number {
  const t = Date.parse(serverNow);
  return Number.isNaN(t) ? 0 : t - receivedAtMs;
}
