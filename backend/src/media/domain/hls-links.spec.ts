import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkHlsLink, hlsCacheControl, hlsLinkExpiry, hlsLinkPrefix, hlsSignature } from './hls-links';

const SID = '0b8f5a52-4f7e-4c31-9a51-3d8f3c1b2a10';
const SECRET = 'x'.repeat(40);

describe('HLS links', () => {
  it("signs as nginx's secure_link does: base64url MD5 of expiry, class and secret", () => {
    const expected = createHash('md5')
      .update(`1800000000${SID} ${SECRET}`)
      .digest('base64')
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '');
    expect(hlsSignature(SID, 1800000000, SECRET)).toBe(expected);
    expect(hlsLinkPrefix(SID, 1800000000, SECRET)).toBe(`/hls/${SID}/1800000000/${expected}/`);
  });

  it('accepts its own links until they expire, and refuses forged, other-class and tampered ones', () => {
    const sig = hlsSignature(SID, 2000, SECRET);
    expect(checkHlsLink(SID, '2000', sig, SECRET, 1999)).toBe('ok');
    expect(checkHlsLink(SID, '2000', sig, SECRET, 2001)).toBe('expired');
    expect(checkHlsLink(SID, '3000', sig, SECRET, 1999)).toBe('forged');
    expect(checkHlsLink(SID.replace('0b', '1b'), '2000', sig, SECRET, 1999)).toBe('forged');
    expect(checkHlsLink(SID, '2000', sig, 'y'.repeat(40), 1999)).toBe('forged');
    expect(checkHlsLink(SID, '2000', sig.slice(1), SECRET, 1999)).toBe('forged');
    expect(checkHlsLink(SID, '20e3', sig, SECRET, 1999)).toBe('forged');
  });

  it('gives everyone of a class the same link within a quarter hour (one CDN copy per segment)', () => {
    expect(hlsLinkExpiry(1_000_000, 3600)).toBe(hlsLinkExpiry(1_000_000 + 100, 3600));
    expect(hlsLinkExpiry(1_000_000, 3600)).toBeGreaterThanOrEqual(1_000_000 + 3600);
    expect(hlsLinkExpiry(1_000_000, 3600) % 900).toBe(0);
  });

  it('lets a CDN keep segments for good and the playlist for about half a segment', () => {
    expect(hlsCacheControl('live.m3u8', 1)).toBe('public, max-age=1');
    expect(hlsCacheControl('live.m3u8', 4)).toBe('public, max-age=2');
    expect(hlsCacheControl('seg-00012.m4s', 1)).toBe('public, max-age=31536000, immutable');
    expect(hlsCacheControl('init.mp4', 1)).toBe('public, max-age=31536000, immutable');
  });
});
