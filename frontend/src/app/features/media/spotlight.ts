import type { Tile } from './tile-view-model';

export interface SpotlightInput {
  tiles: readonly Tile[];
  /** The tile the person tapped to pin (its peer id), if it is still here. */
  pinned: string | null;
  activeSpeaker: string | null;
  /** Users who teach this class (instructors, TAs). */
  teachers: ReadonlySet<string>;
}

export interface Spotlight {
  /** The large tile: what the class looks at. */
  featured: Tile | null;
  /** Everyone else, small (a filmstrip): screens, teachers, the speaker, cameras, others, me last. */
  others: Tile[];
}

/**
 * What the room shows large: the tile the person pinned; else someone's screen share; else a
 * teacher's camera (a student on a phone came to see the teacher, not their own empty avatar); else
 * the active speaker; else anyone with video; else anyone else; our own tile only when alone.
 */
export function spotlight({ tiles, pinned, activeSpeaker, teachers }: SpotlightInput): Spotlight {
  const rank = (t: Tile) =>
    (t.self ? 10_000 : 0) +
    (t.screen ? 0 : 1_000) +
    (teachers.has(t.userId) ? 0 : 100) +
    (t.peerId === activeSpeaker ? 0 : 10) +
    (t.camera ? 0 : 1);
  const ordered = [...tiles].sort((a, b) => rank(a) - rank(b));
  const choose = (): Tile | null => {
    const pin = tiles.find((t) => t.peerId === pinned);
    if (pin) return pin;
    const share = ordered.find((t) => t.screen && !t.self);
    if (share) return share;
    const teacher = ordered.find((t) => !t.self && teachers.has(t.userId));
    if (teacher) return teacher;
    return ordered[0] ?? null;
  };
  const featured = choose();
  return { featured, others: ordered.filter((t) => t !== featured) };
}
