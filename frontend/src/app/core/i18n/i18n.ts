import { DOCUMENT } from '@angular/common';
import {
  EnvironmentProviders,
  inject,
  Injectable,
  isDevMode,
  makeEnvironmentProviders,
  Pipe,
  PipeTransform,
  provideAppInitializer,
  signal,
} from '@angular/core';
import { firstValueFrom } from 'rxjs';
import { provideTransloco, Translation, TranslocoLoader, TranslocoService } from '@jsverse/transloco';
import { errorKey, type ShownError } from '../api-error';
import { safeStorage } from '../safe-storage';
import { formatLocalTime, type TimeStyle } from './local-time';
import { DEFAULT_LANGUAGE, LANGUAGES, pickLanguage, type Language } from './language';

const STORAGE_KEY = 'lectern.language';

/**
 * Translations ship inside the build (no request at start, nothing to miss in production): English in
 * the main bundle, every other language in a chunk of its own, loaded when chosen.
 */
@Injectable({ providedIn: 'root' })
export class BundledTranslations implements TranslocoLoader {
  getTranslation(lang: string): Promise<Translation> {
    switch (lang as Language) {
      case 'es':
        return import('./es').then((m) => m.ES);
      default:
        return import('./en').then((m) => m.EN);
    }
  }
}

/** Transloco, set up for Lectern: the language comes from the launch (LanguageService). */
export function provideI18n(): EnvironmentProviders {
  return makeEnvironmentProviders([
    provideTransloco({
      config: {
        availableLangs: [...LANGUAGES],
        defaultLang: DEFAULT_LANGUAGE,
        fallbackLang: DEFAULT_LANGUAGE,
        reRenderOnLangChange: true,
        missingHandler: { useFallbackTranslation: true, logMissingKey: isDevMode() },
        prodMode: !isDevMode(),
      },
      loader: BundledTranslations,
    }),
    // The chosen language's words are there before the first page shows (no keys flashing).
    provideAppInitializer(() => {
      const language = inject(LanguageService);
      return firstValueFrom(inject(TranslocoService).load(language.current())).then(() => undefined);
    }),
  ]);
}

/**
 * The interface's language: the LMS's (the launch's `locale` claim) when Lectern speaks it, else the
 * browser's, else English. Kept for the tab (a reload or the room's own window keeps it) and written on
 * <html lang> so screen readers pronounce the page right.
 */
@Injectable({ providedIn: 'root' })
export class LanguageService {
  private readonly transloco = inject(TranslocoService);
  private readonly document = inject(DOCUMENT);
  readonly current = signal<Language>(DEFAULT_LANGUAGE);

  constructor() {
    this.apply(pickLanguage([safeStorage.get(STORAGE_KEY, 'session'), ...browserLanguages()]));
  }

  /** The launch said which language the LMS uses for this person (null: it did not say). */
  useLaunchLocale(locale: string | null | undefined): void {
    const lang = pickLanguage([locale, ...browserLanguages()]);
    safeStorage.set(STORAGE_KEY, lang, 'session');
    this.apply(lang);
  }

  private apply(lang: Language) {
    this.current.set(lang);
    this.transloco.setActiveLang(lang);
    this.document.documentElement.lang = lang;
  }

  /** A moment in the current language, in the given zone (the course's). */
  time(iso: string | null | undefined, timeZone: string | null | undefined, style: TimeStyle = 'date-time'): string {
    return formatLocalTime(iso, this.current(), timeZone, style);
  }

  /** An error in the current language: its code's words, or the server's message for a code the app does not know. */
  errorText(e: Pick<ShownError, 'code' | 'message'>): string {
    const key = errorKey(e);
    return key ? this.transloco.translate(key) : e.message;
  }

  /** A number in the current language ("1,5" in Spanish). */
  number(n: number): string {
    return new Intl.NumberFormat(this.current()).format(n);
  }
}

function browserLanguages(): readonly string[] {
  return typeof navigator === 'undefined' ? [] : (navigator.languages ?? [navigator.language]);
}

/** `{{ iso | localTime: zone : 'date' }}`: a time in the person's language and the course's zone. */
@Pipe({ name: 'localTime', pure: false })
export class LocalTimePipe implements PipeTransform {
  private readonly language = inject(LanguageService);
  transform(iso: string | null | undefined, timeZone?: string | null, style: TimeStyle = 'date-time'): string {
    return this.language.time(iso, timeZone, style);
  }
}
