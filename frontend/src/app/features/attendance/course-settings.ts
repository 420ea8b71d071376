import { canonicalTimeZone } from '@contracts/attendance';

/** One problem of a refused contacts import, with the line of the file it names (null: the whole file). */
export interface ImportProblem {
  line: number | null;
  message: string;
}

/**
 * The server's problems of a refused import ("line 4: guardian_email is not an email address") as lines to
 * show, in the file's order, whole-file problems first.
 */
export function importProblems(details: readonly string[] | undefined, fallback: string): ImportProblem[] {
  if (!details?.length) return [{ line: null, message: fallback }];
  return details
    .map((d) => {
      const m = /^line (\d+): (.*)$/s.exec(d);
      return m ? { line: Number(m[1]), message: m[2] } : { line: null, message: d };
    })
    .sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}

/** Every zone Intl knows (for the picker's suggestions), UTC first. */
export function zoneChoices(): string[] {
  const all = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return ['UTC', ...all.filter((z) => z !== 'UTC')];
}

/** What the time-zone field holds, checked before anything is sent: the zone, null (clear) or a problem. */
export function zoneInput(text: string): { ok: true; zone: string | null } | { ok: false; message: string } {
  const t = text.trim();
  if (!t) return { ok: true, zone: null };
  const zone = canonicalTimeZone(t);
  return zone
    ? { ok: true, zone }
    : { ok: false, message: `"${t}" is not a time zone: pick one from the list (for example Europe/Paris).` };
}

/** The local time now in a zone, to show beside the choice ("14:05"). */
export function nowIn(zone: string, now = new Date()): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit' }).format(now);
}
