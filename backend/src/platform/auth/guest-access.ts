import { SetMetadata } from '@nestjs/common';

/**
 * Guests (someone with no LMS account, let into one class by an instructor's invite link) hold a session
 * token of role `guest` bound to that class. Everything is closed to them by default: the REST session
 * guard refuses a guest token on every route not marked `@GuestAllowed()` (GUEST_NOT_ALLOWED), and the
 * socket gate refuses every event whose rule does not say `guests: true`. So a new controller or gateway
 * is safe for guests without its author thinking of them.
 */
export const GUEST_ALLOWED = 'lectern:guest-allowed';

/** Marks a route (or a controller) a guest may call: only what the class's own room needs. */
export const GuestAllowed = () => SetMetadata(GUEST_ALLOWED, true);

/**
 * Set in Redis (by the classroom) when a guest's session ends: link revoked, removed, class over. Every
 * instance refuses the guest's token from then on (REST guard, socket connect, the room's join).
 */
export const guestEndedKey = (guestUserId: string) => `guest:ended:${guestUserId}`;
/** Kept longer than any session lives (SESSION_MAX_AGE_HOURS is at most a week). */
export const GUEST_ENDED_TTL_SECONDS = 8 * 24 * 3600;
