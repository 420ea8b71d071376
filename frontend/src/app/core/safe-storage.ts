/**
 * Web storage that never throws. Inside an LMS iframe the browser may deny storage to a third-party
 * document outright (reading `localStorage` throws SecurityError); then values live in memory for the
 * page's lifetime, which is the best a blocked frame can have.
 */
const memory = new Map<string, string>();

function store(kind: 'local' | 'session'): Storage | null {
  try {
    return kind === 'local' ? window.localStorage : window.sessionStorage;
  } catch {
    return null;
  }
}

export const safeStorage = {
  get(key: string, kind: 'local' | 'session' = 'local'): string | null {
    try {
      return store(kind)?.getItem(key) ?? memory.get(`${kind}:${key}`) ?? null;
    } catch {
      return memory.get(`${kind}:${key}`) ?? null;
    }
  },
  set(key: string, value: string, kind: 'local' | 'session' = 'local'): void {
    memory.set(`${kind}:${key}`, value);
    try {
      store(kind)?.setItem(key, value);
    } catch {
      // Denied or full: the in-memory copy stands.
    }
  },
};
