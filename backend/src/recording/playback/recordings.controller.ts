import { Body, Controller, Get, Inject, Param, Post, Put, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { hideRecordingSchema, savePositionSchema } from '../../contracts/recording-playback';
import { Session, SessionGuard } from '../../platform/auth/session.guard';
import { SESSION_TOKENS } from '../../platform/auth/session.guard';
import { SessionRevocation } from '../../platform/auth/session-revocation';
import { type SessionClaims, SessionTokens } from '../../platform/auth/session-token';
import { DomainError, ForbiddenError, NotFoundError, UnauthenticatedError } from '../../platform/domain-error';
import { viewerKey } from '../domain/signed-url';
import { parseInput } from '../../platform/validation';
import { isPlaylistKey } from '../domain/hls-playlist';
import { LocalDiskStorage } from '../storage/local-disk-storage';
import { contentTypeOf, RECORDING_STORAGE, RecordingStorage } from '../storage/recording-storage';
import { PLAYBACK_LINKS, PlaybackLinks } from './playback-links';
import { RecordingsPlaybackService } from './recordings-playback.service';

const id = z.uuid();

/** The Recordings page's API: every call with a session token, checked by course and role. */
@Controller('api/recordings')
@UseGuards(SessionGuard)
export class RecordingsController {
  constructor(private readonly playback: RecordingsPlaybackService) {}

  @Get()
  list(@Session() session: SessionClaims) {
    return this.playback.list(session);
  }

  @Get(':id')
  get(@Session() session: SessionClaims, @Param('id') recordingId: string) {
    return this.playback.playback(session, parseInput(id, recordingId));
  }

  @Put(':id/hidden')
  hide(@Session() session: SessionClaims, @Param('id') recordingId: string, @Body() body: unknown) {
    return this.playback.setHidden(session, parseInput(id, recordingId), parseInput(hideRecordingSchema, body).hidden);
  }

  @Post(':id/retry')
  retry(@Session() session: SessionClaims, @Param('id') recordingId: string) {
    return this.playback.retry(session, parseInput(id, recordingId));
  }

  @Put(':id/position')
  position(@Session() session: SessionClaims, @Param('id') recordingId: string, @Body() body: unknown) {
    return this.playback.savePosition(
      session,
      parseInput(id, recordingId),
      parseInput(savePositionSchema, body).positionMs,
    );
  }
}

/**
 * Files of recordings through signed, expiring links bound to the viewer they were issued to: the
 * request carries that viewer's session token (hls.js and the player add it), and a link used with
 * anyone else's session, or none, serves nothing. A playlist is rewritten so every URI in it is such a
 * link; on local disk the file is sent (with range requests); on S3 the browser is sent to a presigned URL.
 */
@Controller('api/recording-files')
export class RecordingFilesController {
  constructor(
    @Inject(PLAYBACK_LINKS) private readonly links: PlaybackLinks,
    @Inject(RECORDING_STORAGE) private readonly storage: RecordingStorage,
    @Inject(SESSION_TOKENS) private readonly tokens: SessionTokens,
    private readonly revocation: SessionRevocation,
  ) {}

  /** The viewer whose session the request carries (a course member's; never a guest's). */
  private async viewer(req: Request): Promise<string> {
    const match = /^Bearer ([A-Za-z0-9_\-.]+)$/.exec(req.headers.authorization ?? '');
    if (!match) throw new UnauthenticatedError('LINK_NEEDS_SESSION', 'Open the recording from its page in your course');
    const session = await this.tokens.verify(match[1]);
    this.revocation.assertSessionUsable(session);
    if (session.role === 'guest')
      throw new ForbiddenError('GUEST_NOT_ALLOWED', 'Guests can only take part in their class');
    return viewerKey(session);
  }

  @Get('*key')
  async file(@Req() req: Request, @Res() res: Response): Promise<void> {
    const key = decodeURIComponent(req.path.replace(/^\/api\/recording-files\//, ''));
    const q = req.query as Record<string, unknown>;
    const viewer = await this.viewer(req);
    const verdict = this.links.verify(
      key,
      {
        exp: typeof q.exp === 'string' ? q.exp : undefined,
        sig: typeof q.sig === 'string' ? q.sig : undefined,
      },
      viewer,
    );
    if (verdict === 'expired')
      throw new DomainError('LINK_EXPIRED', 'This link has expired: open the recording again', 403);
    if (verdict !== 'ok')
      throw new DomainError('LINK_INVALID', 'This link is not valid (or not yours): open the recording again', 403);
    const root = `${key.split('/').slice(0, 2).join('/')}/`;
    res.setHeader('Cache-Control', 'private, max-age=300');
    if (isPlaylistKey(key)) {
      const text = await this.links.playlist(key, root, viewer);
      if (text === null) throw new NotFoundError('FILE_NOT_FOUND', 'No such file');
      res.type(contentTypeOf(key)).send(text);
      return;
    }
    if (this.storage instanceof LocalDiskStorage) {
      if (!(await this.storage.exists(key))) throw new NotFoundError('FILE_NOT_FOUND', 'No such file');
      res.type(contentTypeOf(key));
      res.sendFile(this.storage.pathOf(key), { dotfiles: 'deny' });
      return;
    }
    if (key.endsWith('.vtt') || key.endsWith('.json')) {
      const text = await this.storage.getText(key);
      if (text === null) throw new NotFoundError('FILE_NOT_FOUND', 'No such file');
      res.type(contentTypeOf(key)).send(text);
      return;
    }
    res.redirect(302, await this.storage.signedUrl(key, this.links.ttlSeconds));
  }
}
