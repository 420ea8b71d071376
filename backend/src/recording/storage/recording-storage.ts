/**
 * Where finished recordings live: local disk by default, an S3-compatible object store by configuration.
 * One contract suite (recording-storage.contract.ts) runs against both. Keys are `recordings/<id>/…`
 * (checked by isSafeKey); nothing outside the store's root or bucket can be named.
 */
export interface RecordingStorage {
  readonly kind: 'local' | 's3';
  /** Stores a file under `key` (replacing what was there). */
  putFile(key: string, file: string, contentType: string): Promise<void>;
  /** A stored text file (playlists, chapters), or null when there is none. */
  getText(key: string): Promise<string | null>;
  exists(key: string): Promise<boolean>;
  /** Every key under `prefix`, sorted. */
  list(prefix: string): Promise<string[]>;
  /** Deletes every key under `prefix`; returns how many. */
  deletePrefix(prefix: string): Promise<number>;
  /**
   * A URL a browser may GET `key` from, until `ttlSeconds` from now: S3 presigned, or a link to this
   * backend signed with HMAC (local disk). Handed out only after the caller's role and course were checked.
   */
  signedUrl(key: string, ttlSeconds: number): Promise<string>;
}

export const RECORDING_STORAGE = Symbol('RECORDING_STORAGE');

export const contentTypeOf = (key: string): string =>
  key.endsWith('.m3u8')
    ? 'application/vnd.apple.mpegurl'
    : key.endsWith('.ts')
      ? 'video/mp2t'
      : key.endsWith('.mp4')
        ? 'video/mp4'
        : key.endsWith('.vtt')
          ? 'text/vtt; charset=utf-8'
          : key.endsWith('.json')
            ? 'application/json'
            : 'application/octet-stream';
