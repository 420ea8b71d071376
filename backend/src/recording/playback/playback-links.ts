import { createHmac } from 'node:crypto';
import { isPlaylistKey, rewritePlaylist } from '../domain/hls-playlist';
import { isSafeKey, signKey, SignatureVerdict, verifyKey } from '../domain/signed-url';
import type { RecordingStorage } from '../storage/recording-storage';

/**
 * The links the player is given. Playlists, chapters and the board are always served by this backend
 * (`/api/recording-files/<key>?exp&sig`, HMAC), playlists rewritten so each URI in them is a signed link
 * too; the video itself (segments, MP4) comes from the storage's own signed URL (S3 presigned, or this
 * backend's link again for local disk). Every link expires; none is given before role and course are checked.
 */
export class PlaybackLinks {
  private readonly secret: string;

  constructor(
    sessionSecret: string,
    private readonly publicUrl: string,
    private readonly storage: RecordingStorage,
    readonly ttlSeconds: number,
    private readonly now: () => number = () => Date.now(),
  ) {
    // A key of its own, derived: a link's signature says nothing about session tokens.
    this.secret = createHmac('sha256', sessionSecret).update('lectern recording links').digest('base64url');
  }

  /** Seconds since epoch when links made now expire. */
  expiresAt(): number {
    return Math.floor(this.now() / 1000) + this.ttlSeconds;
  }

  /** A link to this backend's file route, good only with `viewer`'s session (see `viewerKey`). */
  backendUrl(key: string, viewer: string, expiresAt = this.expiresAt()): string {
    if (!isSafeKey(key)) throw new Error(`not a storage key: ${key}`);
    if (!viewer) throw new Error('a playback link is bound to a viewer');
    const q = signKey(this.secret, key, expiresAt, viewer);
    return `${this.publicUrl}/api/recording-files/${key}?exp=${q.exp}&sig=${encodeURIComponent(q.sig)}`;
  }

  /** Where the browser gets `key`: the backend for playlists and small text files, else the storage. */
  // S3's presigned URLs (segments, MP4) cannot be bound to a viewer: they are handed out only inside a
  // bound playlist or to a checked viewer, and expire.
  async url(key: string, viewer: string): Promise<string> {
    if (isPlaylistKey(key) || key.endsWith('.vtt') || key.endsWith('.json') || this.storage.kind === 'local')
      return this.backendUrl(key, viewer);
    return this.storage.signedUrl(key, this.ttlSeconds);
  }

  verify(key: string, q: { exp?: string; sig?: string }, viewer: string): SignatureVerdict {
    if (!isSafeKey(key) || !viewer) return 'invalid';
    return verifyKey(this.secret, key, q, Math.floor(this.now() / 1000), viewer);
  }

  /**
   * A stored playlist with every URI in it replaced by a link for the same viewer (confined to `root`,
   * the recording's folder).
   */
  async playlist(key: string, root: string, viewer: string): Promise<string | null> {
    const text = await this.storage.getText(key);
    if (text === null) return null;
    const keys: string[] = [];
    rewritePlaylist(text, key, root, (k) => (keys.push(k), k));
    const links = new Map<string, string>();
    for (const k of keys) links.set(k, await this.url(k, viewer));
    return rewritePlaylist(text, key, root, (k) => links.get(k)!);
  }
}

export const PLAYBACK_LINKS = Symbol('PLAYBACK_LINKS');
