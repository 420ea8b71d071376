import type { NextFunction, Request, Response } from 'express';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { checkHlsLink, hlsCacheControl, hlsContentType } from '../domain/hls-links';

/** `/<session>/<expires>/<signature>/<file>` or `…/<run>/<file>` (a run's init and segments). */
const LINK =
  /^\/([0-9a-f-]{36})\/(\d{1,12})\/([A-Za-z0-9_-]{22})\/((?:r\d{1,6}\/)?[A-Za-z0-9_-]{1,64}\.(?:m3u8|m4s|mp4))$/;

/**
 * The broadcast's files for browsers, mounted at /hls before the app's other routes: the link is checked
 * (one MD5, no database, no Redis) and the file sent as it is on disk with the cache headers a CDN honours.
 * nginx or a CDN in front can serve the same path from the same folder without Node (README, "Big lectures").
 */
export function hlsFiles(settings: { dir: string; secret: string; segmentSeconds: number }) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const m = LINK.exec(req.path);
    if (!m) {
      res.status(404).json({ error: { code: 'HLS_NOT_FOUND', message: 'No such broadcast file' } });
      return;
    }
    const [, sessionId, expires, signature, file] = m;
    const check = checkHlsLink(sessionId, expires, signature, settings.secret, Math.floor(Date.now() / 1000));
    if (check !== 'ok') {
      res.status(check === 'expired' ? 410 : 403).json({
        error:
          check === 'expired'
            ? { code: 'HLS_LINK_EXPIRED', message: 'This broadcast link has expired; rejoin the class' }
            : { code: 'HLS_LINK_INVALID', message: 'This broadcast link is not valid' },
      });
      return;
    }
    const full = path.join(settings.dir, sessionId, file);
    void stat(full).then(
      (s) => {
        if (!s.isFile()) throw new Error('not a file');
        res.setHeader('Content-Type', hlsContentType(file) ?? 'application/octet-stream');
        res.setHeader('Cache-Control', hlsCacheControl(file, settings.segmentSeconds));
        res.setHeader('Content-Length', String(s.size));
        res.setHeader('Access-Control-Allow-Origin', '*');
        if (req.method === 'HEAD') {
          res.end();
          return;
        }
        createReadStream(full)
          .on('error', () => res.destroy())
          .pipe(res);
      },
      () => {
        // Not written yet (the broadcast is starting) or already rotated out: a short-lived miss.
        res.setHeader('Cache-Control', 'no-store');
        res.status(404).json({ error: { code: 'HLS_NOT_FOUND', message: 'No such broadcast file (yet)' } });
      },
    );
  };
}
