/**
 * Ids that clients send are data. The names below mean something to every JavaScript object
 * (`obj['__proto__'] = x` replaces its prototype; `obj['constructor']` is always there), so they are never
 * ids: the contract refuses them, and code that keys anything by an id uses a Map or own-property checks
 * as well (a board saved before this rule may still hold one; see whiteboard/domain/board.ts).
 */
import { z } from 'zod';

export const RESERVED_IDS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export const isReservedId = (id: string): boolean => RESERVED_IDS.has(id);

export const RESERVED_ID_MESSAGE = 'is a reserved name (__proto__, constructor, prototype), not an id';

/** A string id from a client: any id schema starts here and adds its own format (`safeId.regex(...)`). */
export const safeId = z.string().refine((id) => !isReservedId(id), { message: RESERVED_ID_MESSAGE });
