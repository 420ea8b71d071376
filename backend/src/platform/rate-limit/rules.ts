import { BroadcastEvents } from '../../contracts/broadcast';
import { ClientEvents, type ClientEventName } from '../../contracts/realtime';
import { MediaEvents, type MediaEventName } from '../../contracts/media';
import { AttendanceEvents } from '../../contracts/attendance';
import { QuizEvents } from '../../contracts/quiz';
import { BreakoutEvents, type BreakoutEventName } from '../../contracts/breakout';
import { RecordingEvents } from '../../contracts/recording';
import { RecordingsEvents } from '../../contracts/recording-playback';
import { SessionEvents } from '../../contracts/session';
import { WhiteboardEvents, whiteboardSchemas } from '../../contracts/whiteboard';
/**
 * Rate limits: the rule table, which rule guards which socket event or HTTP path, and how bucket keys
 * are built. Plain TypeScript (no Nest, no Redis): the RateLimiter applies these rules with one Redis
 * script, shared by every instance.
 *
 * A rule is a token bucket: `points` tokens at most, refilled evenly so that an empty bucket is full
 * again after `perMs`. An action costs one token (whiteboard byte budgets: one token per payload byte).
 * So a rule allows a burst of `points` at once and `points / perMs` sustained.
 *
 * The figures are set so that a real class never meets them: the pen sends one `wb:op` per 40 ms while
 * drawing (frontend FLUSH_MS, 25 ops/s, a few hundred bytes each); the whiteboard bench sends 5 strokes of
 * 16 points per client over 20 s (200 clients, one board: ~50 ops/s, ~20 KB/s on the board); a joining
 * viewer consumes and resumes every producer of the class (two per camera user). Test runs multiply every
 * rule by RATE_LIMIT_SCALE (20 under NODE_ENV=test) because all their clients share one loopback address;
 * a test that wants a limit sets it exactly with RATE_LIMIT_RULES.
 */

export interface RateRule {
  /** Bucket size: the largest burst. */
  points: number;
  /** Time for an empty bucket to fill again (the sustained rate is points / perMs). */
  perMs: number;
}

/** Every rule, with why its figure is what it is. Keys are rule names (ours, never a client's). */
export const RATE_RULES = {
  // HTTP, per client address (IPv6 per /64). Schools put hundreds of learners behind one NAT address, who
  // all launch within a minute when a class starts: the bursts are sized for that, the sustained rates are
  // what stops a script. No per-platform bucket: the platform in these requests is only claimed (`iss`,
  // client_id before verification), so a bucket per claimed platform would let anyone lock out a real LMS.
  'http.lti-login': { points: 300, perMs: 60_000 },
  /** Dynamic registration fetches the LMS's configuration: an administrator does it a few times a year. */
  'http.lti-register': { points: 20, perMs: 600_000 },
  /** The launch code exchange: one per launch, like /lti/login. */
  'http.session': { points: 300, perMs: 60_000 },
  /** The operator's console; also what slows down guessing ADMIN_TOKEN. */
  'http.admin': { points: 120, perMs: 60_000 },
  /** Socket connections (handshakes) per client address: a whole school behind one NAT reconnecting after an instance died fits; a reconnect loop does not. */
  'socket.connect': { points: 1_200, perMs: 60_000 },

  // Socket events, per user.
  /** room:join / room:leave: a reload or a reconnect joins again; 30 in a minute is a flapping network. */
  'room.join': { points: 30, perMs: 60_000 },
  /** chat:send / chat:delete: 1 a second sustained, 20 in a row. */
  chat: { points: 20, perMs: 20_000 },
  /** hand:set. */
  hand: { points: 20, perMs: 20_000 },
  /** media:state (camera and mic flags shown to the class). */
  'room.media': { points: 30, perMs: 10_000 },
  /** wb:op count: the pen sends 25 a second; 60 a second sustained, 300 in a burst. */
  'wb.op': { points: 300, perMs: 5_000 },
  /** wb:op bytes per user: 100 KB/s sustained (a pen stroke is ~10 KB/s), so no single user drains a board's budget. */
  'wb.user-bytes': { points: 1_000_000, perMs: 10_000 },
  /** wb:op bytes per board (everyone drawing on it): 400 KB/s sustained, 4 MB burst; every byte is fanned out to the whole class. */
  'wb.board-bytes': { points: 4_000_000, perMs: 10_000 },
  /** wb:sync: a client asks after a gap or a reconnect. */
  'wb.sync': { points: 30, perMs: 10_000 },
  /** wb:follow: the teacher's view while panning and zooming. */
  'wb.follow': { points: 120, perMs: 10_000 },
  /** wb:permissions: who may draw. */
  'wb.permissions': { points: 30, perMs: 10_000 },
  /** media:join: each starts an SFU peer. */
  'media.join': { points: 20, perMs: 60_000 },
  /** media:create-transport / connect-transport / restart-ice: two transports per join, a restart per network change. */
  'media.transport': { points: 40, perMs: 30_000 },
  /** media:produce / pause-producer / close-producer: four sources, toggled by hand. */
  'media.produce': { points: 60, perMs: 10_000 },
  /** media:ready / consume / resume-consumer / set-layers / leave: a viewer joining a class of 300 cameras sends ~1500. */
  'media.signal': { points: 2_000, perMs: 20_000 },
  /** quiz:answer: one per question (30 at most in a quiz), a few changes when allowed; a bot answering in a loop meets it. */
  'quiz.answer': { points: 60, perMs: 10_000 },
  /** quiz:sync: after a join or a reconnect. */
  'quiz.sync': { points: 30, perMs: 10_000 },
  /** quiz:launch / close / reveal / results: an instructor's clicks, and the results view refreshing. */
  'quiz.teacher': { points: 60, perMs: 10_000 },
  /** attendance:visibility: a tab shown and hidden; someone flipping between windows sends a few a minute. */
  'attendance.visibility': { points: 60, perMs: 10_000 },
  /** recording:sync: after a join or a reconnect (recording:pause is an instructor's click: the teacher rule). */
  'recording.sync': { points: 30, perMs: 10_000 },
  /**
   * breakout:open / recall: each opens or closes up to 50 rooms (child classes, boards copied, media moved);
   * an instructor does it a few times a class, and a mistake is undone by recalling and opening again.
   */
  'breakout.open': { points: 10, perMs: 60_000 },
  /** breakout:move / broadcast / timer: an instructor placing students by hand one after another, notes, timer changes. */
  'breakout.teacher': { points: 60, perMs: 10_000 },
  /** breakout:enter: a student enters once per placement; an instructor visits room after room (30 in a minute). */
  'breakout.enter': { points: 30, perMs: 60_000 },
  /** breakout:help: each request rings every instructor of the class; a student asks again after a while, not in a loop. */
  'breakout.help': { points: 5, perMs: 60_000 },
  /** breakout:sync: after a join, a reconnect or a move. */
  'breakout.sync': { points: 30, perMs: 10_000 },
  /** recordings:watch / recordings:follow: once per opening of the Recordings page and per reconnect. */
  'recordings.watch': { points: 10, perMs: 60_000 },
  /** session:renew: each of a person's sockets once per token lifetime (minutes at the least), tabs and reconnects included. */
  'session.renew': { points: 10, perMs: 60_000 },
  /** teacher:* and media:set-policy: a teacher muting or removing students one after another. */
  teacher: { points: 60, perMs: 10_000 },
  /** Any socket event not listed below (a new domain's events are limited before anyone remembers to). */
  'socket.other': { points: 60, perMs: 10_000 },
} as const satisfies Record<string, RateRule>;

export type RateRuleName = keyof typeof RATE_RULES;
export const RATE_RULE_NAMES = Object.keys(RATE_RULES) as RateRuleName[];

/** Media peers one user may hold at once (tabs, a phone beside a laptop), and how long a claim lasts unrenewed. */
export const MEDIA_PEERS_PER_USER = { max: 3, leaseMs: 30 * 60_000 } as const;

export function isRateRuleName(name: string): name is RateRuleName {
  return Object.prototype.hasOwnProperty.call(RATE_RULES, name);
}

export interface RateLimitSettings {
  /** Multiplies every rule's points (so its burst and its rate); 1 in production. */
  scale: number;
  /** Rules set exactly (not scaled), e.g. by a test. */
  overrides: ReadonlyArray<{ name: string; points: number; perMs: number }>;
}

/** The table in force: defaults times the scale, then the explicit overrides. Unknown override names are refused. */
export function resolveRules(settings: RateLimitSettings): ReadonlyMap<RateRuleName, RateRule> {
  const rules = new Map<RateRuleName, RateRule>();
  for (const name of RATE_RULE_NAMES) {
    const r: RateRule = RATE_RULES[name];
    rules.set(name, { points: Math.max(1, Math.round(r.points * settings.scale)), perMs: r.perMs });
  }
  for (const o of settings.overrides) {
    if (!isRateRuleName(o.name))
      throw new Error(`Unknown rate limit rule ${o.name} (known: ${RATE_RULE_NAMES.join(', ')})`);
    rules.set(o.name, { points: o.points, perMs: o.perMs });
  }
  return rules;
}

/** `name=points/perMs,…` (RATE_LIMIT_RULES) into overrides; a list of problems when it does not parse. */
export function parseRuleOverrides(text: string): { overrides: RateLimitSettings['overrides']; problems: string[] } {
  const overrides: { name: string; points: number; perMs: number }[] = [];
  const problems: string[] = [];
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^([a-z.-]+)=(\d+)\/(\d+)$/.exec(part);
    if (!m) {
      problems.push(`"${part}" is not name=points/perMs`);
      continue;
    }
    const [, name, points, perMs] = m;
    if (!isRateRuleName(name)) problems.push(`${name} is not a rule (known: ${RATE_RULE_NAMES.join(', ')})`);
    else if (Number(points) < 1 || Number(perMs) < 1) problems.push(`${part}: points and perMs must be at least 1`);
    else overrides.push({ name, points: Number(points), perMs: Number(perMs) });
  }
  return { overrides, problems };
}

/**
 * Which rule guards each socket event, per contract. Each table is complete by type (`satisfies` a record
 * over the contract's event names), so a new event cannot be added to a contract without a rule here.
 * Unknown names sent by a client fall to `socket.other`, never to no limit; looked up in a Map, as data.
 */
const ROOM_RULES = {
  [ClientEvents.join]: 'room.join',
  [ClientEvents.leave]: 'room.join',
  [ClientEvents.chatSend]: 'chat',
  [ClientEvents.chatDelete]: 'chat',
  [ClientEvents.hand]: 'hand',
  [ClientEvents.media]: 'room.media',
  [ClientEvents.teacherMute]: 'teacher',
  [ClientEvents.teacherMuteAll]: 'teacher',
  [ClientEvents.teacherStopCamera]: 'teacher',
  [ClientEvents.teacherRemove]: 'teacher',
  [ClientEvents.teacherEndClass]: 'teacher',
  [ClientEvents.teacherAdmit]: 'teacher',
  [ClientEvents.teacherDeny]: 'teacher',
  [ClientEvents.teacherWaitingRoom]: 'teacher',
  [ClientEvents.teacherLocks]: 'teacher',
  [ClientEvents.teacherAllowUnmute]: 'teacher',
  [ClientEvents.teacherLowerHand]: 'teacher',
  [ClientEvents.teacherAllowCamera]: 'teacher',
  [ClientEvents.askUnmute]: 'hand',
} as const satisfies Record<ClientEventName, RateRuleName>;
const WHITEBOARD_RULES = {
  [WhiteboardEvents.op]: 'wb.op',
  [WhiteboardEvents.sync]: 'wb.sync',
  [WhiteboardEvents.follow]: 'wb.follow',
  [WhiteboardEvents.permissions]: 'wb.permissions',
} as const satisfies Record<keyof typeof whiteboardSchemas, RateRuleName>;
const MEDIA_RULES = {
  [MediaEvents.policy]: 'teacher',
  [MediaEvents.join]: 'media.join',
  [MediaEvents.createTransport]: 'media.transport',
  [MediaEvents.connectTransport]: 'media.transport',
  [MediaEvents.restartIce]: 'media.transport',
  [MediaEvents.produce]: 'media.produce',
  [MediaEvents.pauseProducer]: 'media.produce',
  [MediaEvents.closeProducer]: 'media.produce',
  [MediaEvents.ready]: 'media.signal',
  [MediaEvents.consume]: 'media.signal',
  [MediaEvents.resumeConsumer]: 'media.signal',
  [MediaEvents.setLayers]: 'media.signal',
  [MediaEvents.leave]: 'media.signal',
} as const satisfies Record<MediaEventName, RateRuleName>;
const QUIZ_RULES = {
  [QuizEvents.answer]: 'quiz.answer',
  [QuizEvents.sync]: 'quiz.sync',
  [QuizEvents.launch]: 'quiz.teacher',
  [QuizEvents.close]: 'quiz.teacher',
  [QuizEvents.reveal]: 'quiz.teacher',
  [QuizEvents.results]: 'quiz.teacher',
} as const satisfies Record<(typeof QuizEvents)[keyof typeof QuizEvents], RateRuleName>;

const ATTENDANCE_RULES = {
  [AttendanceEvents.visibility]: 'attendance.visibility',
} as const satisfies Record<(typeof AttendanceEvents)[keyof typeof AttendanceEvents], RateRuleName>;

const RECORDING_RULES = {
  [RecordingEvents.sync]: 'recording.sync',
  [RecordingEvents.pause]: 'teacher',
} as const satisfies Record<(typeof RecordingEvents)[keyof typeof RecordingEvents], RateRuleName>;

const BREAKOUT_RULES = {
  [BreakoutEvents.open]: 'breakout.open',
  [BreakoutEvents.recall]: 'breakout.open',
  [BreakoutEvents.move]: 'breakout.teacher',
  [BreakoutEvents.broadcast]: 'breakout.teacher',
  [BreakoutEvents.timer]: 'breakout.teacher',
  [BreakoutEvents.enter]: 'breakout.enter',
  [BreakoutEvents.help]: 'breakout.help',
  [BreakoutEvents.sync]: 'breakout.sync',
} as const satisfies Record<BreakoutEventName, RateRuleName>;

const RECORDINGS_RULES = {
  [RecordingsEvents.watch]: 'recordings.watch',
  [RecordingsEvents.follow]: 'recordings.watch',
} as const satisfies Record<(typeof RecordingsEvents)[keyof typeof RecordingsEvents], RateRuleName>;

const SESSION_RULES = {
  [SessionEvents.renew]: 'session.renew',
} as const satisfies Record<(typeof SessionEvents)[keyof typeof SessionEvents], RateRuleName>;

/** Big lectures: asking the path comes before each media join and costs like one. */
const BROADCAST_RULES = {
  [BroadcastEvents.route]: 'media.join',
  [BroadcastEvents.promote]: 'teacher',
  [BroadcastEvents.paths]: 'teacher',
} as const satisfies Record<(typeof BroadcastEvents)[keyof typeof BroadcastEvents], RateRuleName>;

const SOCKET_EVENT_RULES = new Map<string, RateRuleName>(
  [
    ROOM_RULES,
    WHITEBOARD_RULES,
    MEDIA_RULES,
    QUIZ_RULES,
    ATTENDANCE_RULES,
    RECORDING_RULES,
    RECORDINGS_RULES,
    SESSION_RULES,
    BREAKOUT_RULES,
    BROADCAST_RULES,
  ].flatMap((table) => Object.entries(table) as [string, RateRuleName][]),
);

export function socketRuleOf(event: string): RateRuleName {
  return SOCKET_EVENT_RULES.get(event) ?? 'socket.other';
}

export interface BucketCharge {
  rule: RateRuleName;
  key: string;
  cost: number;
}

/**
 * The buckets one socket event draws from, all or nothing: the event's rule per user, and for a
 * whiteboard op also its bytes, per user and per board. `prefix` separates deployments sharing a Redis.
 */
export function socketCharges(
  prefix: string,
  event: string,
  userKey: string,
  boardKey?: string,
  bytes?: number,
): BucketCharge[] {
  const rule = socketRuleOf(event);
  const charges: BucketCharge[] = [{ rule, key: bucketKey(prefix, rule, 'user', userKey), cost: 1 }];
  if (rule === 'wb.op' && bytes !== undefined) {
    const cost = Math.max(0, Math.ceil(bytes));
    charges.push({ rule: 'wb.user-bytes', key: bucketKey(prefix, 'wb.user-bytes', 'user', userKey), cost });
    if (boardKey !== undefined)
      charges.push({ rule: 'wb.board-bytes', key: bucketKey(prefix, 'wb.board-bytes', 'board', boardKey), cost });
  }
  return charges;
}

/**
 * Which rule guards an HTTP request, from its path as Express routes it: case-insensitive, trailing
 * slashes ignored, percent-escapes decoded (so `/API/Admin/` and `/api/%61dmin` are not a way around).
 */
export function httpRuleOf(path: string): RateRuleName | null {
  let p = path;
  try {
    p = decodeURIComponent(p);
  } catch {
    // Malformed escapes: matched as sent (Express refuses such paths with 400 anyway).
  }
  p = p
    .toLowerCase()
    .replace(/\/{2,}/g, '/')
    .replace(/\/+$/, '');
  if (p === '/lti/login') return 'http.lti-login';
  if (p === '/lti/register') return 'http.lti-register';
  if (p === '/api/session/exchange') return 'http.session';
  // A guest's invite link is opened and traded for a session without any session: per client address.
  if (p === '/api/guest/link' || p === '/api/guest/enter') return 'http.session';
  if (p === '/api/admin' || p.startsWith('/api/admin/')) return 'http.admin';
  return null;
}

export function bucketKey(prefix: string, rule: RateRuleName, kind: 'user' | 'board' | 'ip', id: string): string {
  return `${prefix}:rl:${rule}:${kind}:${id}`;
}

/**
 * The client address a bucket is kept for: IPv4 as is (also when written IPv4-mapped, `::ffff:1.2.3.4`),
 * IPv6 by its /64 (one subscriber gets a whole /64, so per-address buckets would be free to dodge).
 */
export function clientAddressKey(ip: string): string {
  const addr = ip.trim().toLowerCase().replace(/%.*$/, '');
  if (/^\d+\.\d+\.\d+\.\d+$/.test(addr)) return addr;
  const groups = expandIpv6(addr);
  if (!groups) return addr || 'unknown';
  if (groups.slice(0, 5).every((g) => g === '0') && groups[5] === 'ffff') {
    const [hi, lo] = [parseInt(groups[6], 16), parseInt(groups[7], 16)];
    return [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.');
  }
  return `${groups.slice(0, 4).join(':')}::/64`;
}

/** Eight hexadecimal groups (no leading zeros) of an IPv6 address, or null when it is not one. */
function expandIpv6(addr: string): string[] | null {
  if (!/^[0-9a-f:.]+$/.test(addr) || !addr.includes(':')) return null;
  let text = addr;
  // A trailing dotted IPv4 part is two groups.
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const b = v4.slice(1).map(Number);
    if (b.some((x) => x > 255)) return null;
    text = text.slice(0, v4.index) + `${((b[0] << 8) | b[1]).toString(16)}:${((b[2] << 8) | b[3]).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (groups.some((g) => !/^[0-9a-f]{1,4}$/.test(g))) return null;
  return groups.map((g) => parseInt(g, 16).toString(16));
}
