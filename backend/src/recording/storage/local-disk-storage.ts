import { copyFile, mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { isSafeKey, signKey, SignatureVerdict, verifyKey } from '../domain/signed-url';
import type { RecordingStorage } from './recording-storage';

/**
 * Recordings on this machine's disk under `root`, served by this backend through links signed with HMAC
 * (`/api/recording-files/<key>?exp=…&sig=…`, checked by `verify`). For one instance, or several sharing
 * a network disk.
 */
export class LocalDiskStorage implements RecordingStorage {
  readonly kind = 'local' as const;

  constructor(
    private readonly root: string,
    private readonly publicUrl: string,
    private readonly secret: string,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** The file of a key on disk; throws on a key that is not one (never a path outside root). */
  pathOf(key: string): string {
    if (!isSafeKey(key)) throw new Error(`not a storage key: ${key}`);
    return path.join(this.root, ...key.split('/'));
  }

  async putFile(key: string, file: string): Promise<void> {
    const target = this.pathOf(key);
    await mkdir(path.dirname(target), { recursive: true });
    const tmp = `${target}.${process.pid}.part`;
    await copyFile(file, tmp);
    await rename(tmp, target);
  }

  async getText(key: string): Promise<string | null> {
    try {
      return await readFile(this.pathOf(key), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      return (await stat(this.pathOf(key))).isFile();
    } catch {
      return false;
    }
  }

  async list(prefix: string): Promise<string[]> {
    const base = prefix.replace(/\/+$/, '');
    const out: string[] = [];
    const walk = async (key: string) => {
      let entries;
      try {
        entries = await readdir(this.pathOf(key), { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        if (e.name.endsWith('.part')) continue;
        if (e.isDirectory()) await walk(`${key}/${e.name}`);
        else out.push(`${key}/${e.name}`);
      }
    };
    await walk(base);
    return out.sort();
  }

  async deletePrefix(prefix: string): Promise<number> {
    const keys = await this.list(prefix);
    await rm(this.pathOf(prefix.replace(/\/+$/, '')), { recursive: true, force: true });
    return keys.length;
  }

  async signedUrl(key: string, ttlSeconds: number): Promise<string> {
    if (!isSafeKey(key)) throw new Error(`not a storage key: ${key}`);
    const q = signKey(this.secret, key, Math.floor(this.now() / 1000) + ttlSeconds);
    return `${this.publicUrl}/api/recording-files/${key}?exp=${q.exp}&sig=${encodeURIComponent(q.sig)}`;
  }

  /** Whether a link's query is good for `key` now. */
  verify(key: string, query: { exp?: string; sig?: string }): SignatureVerdict {
    if (!isSafeKey(key)) return 'invalid';
    return verifyKey(this.secret, key, query, Math.floor(this.now() / 1000));
  }
}
