import crypto from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RecordingStorage } from './recording-storage';

/** What a browser gets from a signed URL: the status and the body. */
export type FetchSigned = (url: string) => Promise<{ status: number; body: string }>;

/**
 * What every RecordingStorage does, whatever keeps the files (recording-storage.spec.ts runs it against
 * local disk and against a real s3rver process).
 */
export function recordingStorageContract(name: string, make: () => { storage: RecordingStorage; fetch: FetchSigned }) {
  describe(`RecordingStorage contract: ${name}`, () => {
    const prefix = () => `recordings/${crypto.randomUUID()}`;
    const file = async (text: string) => {
      const dir = await mkdtemp(path.join(tmpdir(), 'lectern-store-'));
      const f = path.join(dir, 'f');
      await writeFile(f, text);
      return f;
    };

    it('stores files under keys, lists a prefix in order, reads text back, and replaces on a second put', async () => {
      const { storage } = make();
      const p = prefix();
      await storage.putFile(
        `${p}/hls/720p/index.m3u8`,
        await file('#EXTM3U\nseg-00000.ts\n'),
        'application/vnd.apple.mpegurl',
      );
      await storage.putFile(`${p}/hls/720p/seg-00000.ts`, await file('TS'), 'video/mp2t');
      await storage.putFile(`${p}/chapters.vtt`, await file('WEBVTT\n'), 'text/vtt');
      await storage.putFile(`${p}/chapters.vtt`, await file('WEBVTT\n\n1\n'), 'text/vtt');
      expect(await storage.list(p)).toEqual([
        `${p}/chapters.vtt`,
        `${p}/hls/720p/index.m3u8`,
        `${p}/hls/720p/seg-00000.ts`,
      ]);
      expect(await storage.getText(`${p}/chapters.vtt`)).toBe('WEBVTT\n\n1\n');
      expect(await storage.exists(`${p}/hls/720p/seg-00000.ts`)).toBe(true);
      expect(await storage.exists(`${p}/nothing.ts`)).toBe(false);
      expect(await storage.getText(`${p}/nothing.vtt`)).toBeNull();
      expect(await storage.list(prefix())).toEqual([]);
    });

    it('deletes everything under a prefix and nothing else', async () => {
      const { storage } = make();
      const [a, b] = [prefix(), prefix()];
      await storage.putFile(`${a}/x.mp4`, await file('a'), 'video/mp4');
      await storage.putFile(`${a}/hls/y.ts`, await file('a'), 'video/mp2t');
      await storage.putFile(`${b}/x.mp4`, await file('b'), 'video/mp4');
      expect(await storage.deletePrefix(a)).toBe(2);
      expect(await storage.list(a)).toEqual([]);
      expect(await storage.list(b)).toEqual([`${b}/x.mp4`]);
    });

    it('refuses keys that are not keys (path tricks)', async () => {
      const { storage } = make();
      await expect(storage.putFile('recordings/../../etc/x', await file('x'), 'text/plain')).rejects.toThrow();
      await expect(storage.signedUrl('/etc/passwd', 60)).rejects.toThrow();
    });

    it('gives signed URLs that serve the file until they expire; a tampered one serves nothing', async () => {
      const { storage, fetch } = make();
      const p = prefix();
      await storage.putFile(`${p}/recording.mp4`, await file('the bytes'), 'video/mp4');
      const url = await storage.signedUrl(`${p}/recording.mp4`, 1);
      expect(await fetch(url)).toEqual({ status: 200, body: 'the bytes' });
      const other = url.replace(`${p}/recording.mp4`, `${p}/other.mp4`);
      expect((await fetch(other)).status).toBeGreaterThanOrEqual(400);
      await new Promise((r) => setTimeout(r, 2200));
      expect((await fetch(url)).status).toBe(403);
    });
  });
}
