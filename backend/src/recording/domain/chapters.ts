/**
 * Chapters of a recording: where the teacher turned to another board page, started or stopped a screen
 * share, paused or resumed the recording, and where capture had a gap. One list, written twice: into the
 * MP4 (FFmetadata) and as WebVTT for the player's chapter list.
 */

export type ChapterMarkKind =
  'page' | 'screen-start' | 'screen-stop' | 'pause' | 'resume' | 'gap' | 'breakouts' | 'breakouts-end';

export interface ChapterMark {
  at: Date;
  kind: ChapterMarkKind;
  /** A page's title (page marks). */
  label?: string | null;
}

export interface Chapter {
  /** Seconds from the recording's start. */
  start: number;
  end: number;
  title: string;
}

/** Marks closer than this to the chapter before replace its title instead of making a chapter seconds long. */
export const MIN_CHAPTER_SECONDS = 3;

export function markTitle(m: ChapterMark): string {
  switch (m.kind) {
    case 'page':
      return m.label?.trim() || 'Board page';
    case 'screen-start':
      return 'Screen share';
    case 'screen-stop':
      return 'Screen share ended';
    case 'pause':
      return 'Recording paused';
    case 'resume':
      return 'Recording resumed';
    case 'gap':
      return 'Recording gap';
    case 'breakouts':
      return m.label?.trim() ? `Breakout rooms: ${m.label.trim()}` : 'Breakout rooms';
    case 'breakouts-end':
      return 'Back in the main room';
  }
}

/**
 * The chapters of a recording `duration` seconds long whose second 0 is `origin`. The first chapter
 * starts at 0 ("Start of class", or the first mark's title when it is that close); marks outside the
 * recording are left out; a mark within MIN_CHAPTER_SECONDS of the previous chapter's start renames it.
 */
export function buildChapters(marks: ChapterMark[], origin: Date, duration: number): Chapter[] {
  if (duration <= 0) return [];
  const starts: Array<{ start: number; title: string }> = [{ start: 0, title: 'Start of class' }];
  const sorted = [...marks].sort((a, b) => a.at.getTime() - b.at.getTime());
  for (const m of sorted) {
    const t = Math.round(m.at.getTime() - origin.getTime()) / 1000;
    if (t < -MIN_CHAPTER_SECONDS || t >= duration) continue;
    const at = Math.max(0, t);
    const prev = starts[starts.length - 1];
    if (at - prev.start < MIN_CHAPTER_SECONDS) prev.title = markTitle(m);
    else starts.push({ start: at, title: markTitle(m) });
  }
  return starts.map((s, i) => ({
    start: s.start,
    end: i + 1 < starts.length ? starts[i + 1].start : duration,
    title: s.title,
  }));
}

/** FFmetadata escapes `=`, `;`, `#`, `\` and newlines with a backslash. */
const metaEscape = (s: string) => s.replace(/[=;#\\\n]/g, (c) => `\\${c}`);

/** The chapters as an FFmetadata file (millisecond time base), with the recording's title. */
export function chaptersToFfmetadata(chapters: Chapter[], title: string): string {
  const lines = [';FFMETADATA1', `title=${metaEscape(title)}`, ''];
  for (const c of chapters) {
    lines.push(
      '[CHAPTER]',
      'TIMEBASE=1/1000',
      `START=${Math.round(c.start * 1000)}`,
      `END=${Math.round(c.end * 1000)}`,
      `title=${metaEscape(c.title)}`,
      '',
    );
  }
  return lines.join('\n');
}

/** hh:mm:ss.mmm */
export function vttTime(seconds: number): string {
  const total = Math.round(seconds * 1000);
  const h = Math.floor(total / 3_600_000);
  const m = Math.floor((total % 3_600_000) / 60_000);
  const s = Math.floor((total % 60_000) / 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(h)}:${pad(m)}:${pad(s)}.${pad(total % 1000, 3)}`;
}

/** Cue text is HTML-like: `&`, `<`, `>` escaped; an arrow or a blank line would end the cue. */
const cueEscape = (s: string) =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\s*\n\s*/g, ' ');

/** The chapters as a WebVTT file (`kind="chapters"` track), cues numbered from 1. */
export function chaptersToWebVtt(chapters: Chapter[]): string {
  const out = ['WEBVTT', ''];
  chapters.forEach((c, i) =>
    out.push(String(i + 1), `${vttTime(c.start)} --> ${vttTime(c.end)}`, cueEscape(c.title), ''),
  );
  return out.join('\n');
}
