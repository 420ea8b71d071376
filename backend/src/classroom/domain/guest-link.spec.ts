import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { guestLinkKey, guestLinkOptions, guestName, linkRefusal, signGuestLink, verifyGuestLink } from './guest-link';

const key = guestLinkKey('s'.repeat(40));
const claims = { linkId: crypto.randomUUID(), activityId: crypto.randomUUID(), courseId: crypto.randomUUID() };
const code = async (p: Promise<unknown>) =>
  p.then(
    () => 'OK',
    (e: { code?: string }) => e.code,
  );

describe('guest invite links', () => {
  it('verifies its own links, refuses others, expired ones, and tokens of another kind', async () => {
    const token = await signGuestLink(key, claims, new Date(Date.now() + 60_000));
    expect(await verifyGuestLink(key, token)).toEqual(claims);
    expect(await code(verifyGuestLink(guestLinkKey('t'.repeat(40)), token))).toBe('GUEST_LINK_INVALID');
    const expired = await signGuestLink(key, claims, new Date(Date.now() - 1000));
    expect(await code(verifyGuestLink(key, expired))).toBe('GUEST_LINK_EXPIRED');
    const bad = await signGuestLink(key, { ...claims, activityId: 'not-a-uuid' }, new Date(Date.now() + 60_000));
    expect(await code(verifyGuestLink(key, bad))).toBe('GUEST_LINK_INVALID');
    // The key is derived: the session secret itself signs nothing a link verifier accepts.
    expect(Buffer.from(key).toString('hex')).not.toBe(Buffer.from('s'.repeat(40)).toString('hex'));
  });

  it('says why a verified link cannot be used: revoked, expired, used once', () => {
    const now = new Date('2026-12-04T10:00:00Z');
    const link = { revokedAt: null, usedAt: null, singleUse: true, expiresAt: new Date('2026-12-04T11:00:00Z') };
    expect(linkRefusal(link, now)).toBeNull();
    expect(linkRefusal({ ...link, usedAt: now }, now)?.code).toBe('GUEST_LINK_USED');
    expect(linkRefusal({ ...link, usedAt: now, singleUse: false }, now)).toBeNull();
    expect(linkRefusal({ ...link, revokedAt: now }, now)?.code).toBe('GUEST_LINK_REVOKED');
    expect(linkRefusal({ ...link, expiresAt: now }, now)?.code).toBe('GUEST_LINK_EXPIRED');
  });

  it('takes a name tidied, and refuses empty, invisible, control and overlong names', () => {
    expect(guestName.parse('  Dr.   Ada \t Guest ')).toBe('Dr. Ada Guest');
    expect(guestName.parse('Zoë Ñúñez')).toBe('Zoë Ñúñez');
    expect(guestName.parse('李小龙')).toBe('李小龙');
    for (const bad of ['', '   ', '...', 'a\u0000b', '\u202eevil', 'zero\u200bwidth', 'x'.repeat(61), '\uE000'])
      expect(guestName.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
  });

  it('bounds the options an instructor picks', () => {
    const ok = { expiresInMinutes: 60, singleUse: false, needsAdmission: true };
    expect(guestLinkOptions.safeParse(ok).success).toBe(true);
    expect(guestLinkOptions.safeParse({ ...ok, expiresInMinutes: 5 }).success).toBe(false);
    expect(guestLinkOptions.safeParse({ ...ok, expiresInMinutes: 60 * 24 * 31 }).success).toBe(false);
    expect(guestLinkOptions.safeParse({ ...ok, admin: true }).success).toBe(false);
  });
});
