/**
 * The interface languages and how one is chosen. Pure (no Angular), unit-tested.
 * To add a language: a file beside en.ts typed `Translations` (the compiler then lists every missing
 * key), its code in LANGUAGES and LANGUAGE_NAMES, and its import in i18n.ts's loader (README, "Languages").
 */
export const LANGUAGES = ['en', 'es'] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = 'en';

/** Each language in its own words (a language menu shows them so). */
export const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', es: 'Español' };

const isLanguage = (x: string): x is Language => (LANGUAGES as readonly string[]).includes(x);

/**
 * The first of the wanted tags Lectern speaks, by primary subtag (`es-419`, `es_MX` and `ES` are Spanish):
 * the LMS's launch locale first, then the browser's languages; English when none matches.
 */
export function pickLanguage(wanted: ReadonlyArray<string | null | undefined>): Language {
  for (const tag of wanted) {
    if (typeof tag !== 'string') continue;
    const primary = tag.trim().toLowerCase().split(/[-_]/)[0];
    if (isLanguage(primary)) return primary;
  }
  return DEFAULT_LANGUAGE;
}

/** A translator over one language's tree, for pure code that runs without Angular (and its specs). */
export function translatorOf(tree: object): (key: string, params?: Record<string, string | number>) => string {
  return (key, params = {}) =>
    (lookup(tree, key) ?? key).replace(/\{\{\s*(\w+)\s*\}\}/g, (_, p: string) =>
      Object.hasOwn(params, p) ? String(params[p]) : '',
    );
}

/** Turns `{ a: { b: 'x' } }` into `['a.b']`, the keys Transloco looks up. */
export function flatKeys(tree: object, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([k, v]) =>
    typeof v === 'string' ? [`${prefix}${k}`] : flatKeys(v as object, `${prefix}${k}.`),
  );
}

/** The value at a dotted key, or undefined. */
export function lookup(tree: object, key: string): string | undefined {
  let at: unknown = tree;
  for (const part of key.split('.')) {
    if (at === null || typeof at !== 'object' || !Object.hasOwn(at, part)) return undefined;
    at = (at as Record<string, unknown>)[part];
  }
  return typeof at === 'string' ? at : undefined;
}

/** The `{{ name }}` parameters a message uses, sorted. */
export function messageParams(message: string): string[] {
  return [...new Set([...message.matchAll(/\{\{\s*([\w.]+)\s*\}\}/g)].map((m) => m[1]))].sort();
}
