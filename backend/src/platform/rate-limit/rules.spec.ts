import { describe, expect, it } from 'vitest';
import { ClientEvents } from '../../contracts/realtime';
import { MediaEvents } from '../../contracts/media';
import { AttendanceEvents } from '../../contracts/attendance';
import { QuizEvents } from '../../contracts/quiz';
import { RecordingEvents } from '../../contracts/recording';
import { RecordingsEvents } from '../../contracts/recording-playback';
import { BreakoutEvents } from '../../contracts/breakout';
import { BroadcastEvents } from '../../contracts/broadcast';
import { WhiteboardEvents } from '../../contracts/whiteboard';
import { loadConfig } from '../../config/config';
import {
  clientAddressKey,
  httpRuleOf,
  parseRuleOverrides,
  RATE_RULES,
  resolveRules,
  socketCharges,
  socketRuleOf,
} from './rules';

const env = {
  DATABASE_URL: 'postgres://x/y',
  REDIS_URL: 'redis://x',
  LTI_KEY: 'k'.repeat(32),
  SESSION_SECRET: 's'.repeat(32),
};

describe('rate limit rules', () => {
  it('gives every client event of the contracts a rule of its family', () => {
    expect(socketRuleOf(ClientEvents.join)).toBe('room.join');
    expect(socketRuleOf(ClientEvents.chatSend)).toBe('chat');
    expect(socketRuleOf(ClientEvents.hand)).toBe('hand');
    expect(socketRuleOf(ClientEvents.media)).toBe('room.media');
    for (const e of [
      ClientEvents.teacherMute,
      ClientEvents.teacherMuteAll,
      ClientEvents.teacherRemove,
      ClientEvents.teacherStopCamera,
      ClientEvents.teacherEndClass,
      MediaEvents.policy,
    ]) {
      expect(socketRuleOf(e)).toBe('teacher');
    }
    expect(socketRuleOf(WhiteboardEvents.op)).toBe('wb.op');
    expect(socketRuleOf(WhiteboardEvents.sync)).toBe('wb.sync');
    expect(socketRuleOf(WhiteboardEvents.follow)).toBe('wb.follow');
    expect(socketRuleOf(WhiteboardEvents.permissions)).toBe('wb.permissions');
    expect(socketRuleOf(MediaEvents.join)).toBe('media.join');
    expect(socketRuleOf(MediaEvents.createTransport)).toBe('media.transport');
    expect(socketRuleOf(MediaEvents.produce)).toBe('media.produce');
    expect(socketRuleOf(MediaEvents.consume)).toBe('media.signal');
    expect(socketRuleOf(QuizEvents.answer)).toBe('quiz.answer');
    expect(socketRuleOf(QuizEvents.sync)).toBe('quiz.sync');
    expect(socketRuleOf(RecordingEvents.sync)).toBe('recording.sync');
    expect(socketRuleOf(RecordingEvents.pause)).toBe('teacher');
    for (const e of [QuizEvents.launch, QuizEvents.close, QuizEvents.reveal, QuizEvents.results])
      expect(socketRuleOf(e)).toBe('quiz.teacher');
    expect(socketRuleOf(BreakoutEvents.open)).toBe('breakout.open');
    expect(socketRuleOf(BreakoutEvents.recall)).toBe('breakout.open');
    for (const e of [BreakoutEvents.move, BreakoutEvents.broadcast, BreakoutEvents.timer])
      expect(socketRuleOf(e)).toBe('breakout.teacher');
    expect(socketRuleOf(BreakoutEvents.enter)).toBe('breakout.enter');
    expect(socketRuleOf(BreakoutEvents.help)).toBe('breakout.help');
    expect(socketRuleOf(BreakoutEvents.sync)).toBe('breakout.sync');
    expect(socketRuleOf(RecordingsEvents.watch)).toBe('recordings.watch');
    // No client event of the contracts is left to the catch-all; an unknown one is not unlimited.
    for (const e of [
      ...Object.values(ClientEvents),
      ...Object.values(MediaEvents),
      ...Object.values(QuizEvents),
      ...Object.values(AttendanceEvents),
      ...Object.values(RecordingEvents),
      ...Object.values(RecordingsEvents),
      ...Object.values(BreakoutEvents),
      ...Object.values(BroadcastEvents),
      WhiteboardEvents.op,
      WhiteboardEvents.sync,
      WhiteboardEvents.follow,
      WhiteboardEvents.permissions,
    ]) {
      expect(socketRuleOf(e), e).not.toBe('socket.other');
    }
    expect(socketRuleOf('breakout:assign')).toBe('socket.other');
    expect(socketRuleOf('__proto__')).toBe('socket.other');
    expect(socketRuleOf('constructor')).toBe('socket.other');
  });

  it('charges a whiteboard op its count per user and its bytes per user and per board; other events one token per user', () => {
    expect(socketCharges('p', 'wb:op', 'u1', 'class-9', 1234.2)).toEqual([
      { rule: 'wb.op', key: 'p:rl:wb.op:user:u1', cost: 1 },
      { rule: 'wb.user-bytes', key: 'p:rl:wb.user-bytes:user:u1', cost: 1235 },
      { rule: 'wb.board-bytes', key: 'p:rl:wb.board-bytes:board:class-9', cost: 1235 },
    ]);
    expect(socketCharges('p', 'hand:set', 'u1', 'class-9', 50)).toEqual([
      { rule: 'hand', key: 'p:rl:hand:user:u1', cost: 1 },
    ]);
    expect(socketCharges('p', 'wb:op', 'u1')).toHaveLength(1);
  });

  it('lets a real class through: the pen, the whiteboard bench, a viewer joining a big class', () => {
    const perSecond = (r: { points: number; perMs: number }) => (r.points * 1000) / r.perMs;
    // The pen flushes every 40 ms (25 ops/s) with up to ~20 points (~400 bytes).
    expect(perSecond(RATE_RULES['wb.op'])).toBeGreaterThanOrEqual(2 * 25);
    expect(perSecond(RATE_RULES['wb.user-bytes'])).toBeGreaterThanOrEqual(10 * 25 * 400);
    // 30 learners all drawing at once on one board.
    expect(perSecond(RATE_RULES['wb.board-bytes'])).toBeGreaterThanOrEqual(30 * 25 * 400);
    // A viewer joining 300 camera users: consume + resume per camera and mic, set-layers per camera.
    expect(RATE_RULES['media.signal'].points).toBeGreaterThanOrEqual(300 * 5);
    // Breakouts: an instructor places a class of 30 by hand in a burst, and opens, recalls and reopens a
    // few times in a minute; a student enters their room and asks for help twice; the page syncs on each move.
    expect(RATE_RULES['breakout.teacher'].points).toBeGreaterThanOrEqual(30);
    expect(RATE_RULES['breakout.open'].points).toBeGreaterThanOrEqual(6);
    expect(RATE_RULES['breakout.enter'].points).toBeGreaterThanOrEqual(20); // an instructor visiting 20 rooms
    expect(RATE_RULES['breakout.help'].points).toBeGreaterThanOrEqual(3);
    expect(RATE_RULES['breakout.sync'].points).toBeGreaterThanOrEqual(10);
    // But a loop is not: at most one help request every 10 s sustained, one open every 6 s.
    expect(perSecond(RATE_RULES['breakout.help'])).toBeLessThanOrEqual(0.1);
    expect(perSecond(RATE_RULES['breakout.open'])).toBeLessThanOrEqual(1 / 6);
    // The Recordings page watching again after a few reconnects, not a loop.
    expect(RATE_RULES['recordings.watch'].points).toBeGreaterThanOrEqual(5);
    expect(perSecond(RATE_RULES['recordings.watch'])).toBeLessThanOrEqual(0.2);
    // The largest payload a socket accepts (16 KB) fits every byte bucket.
    expect(RATE_RULES['wb.user-bytes'].points).toBeGreaterThan(16 * 1024);
  });

  it('scales every rule and takes explicit rules as given; unknown names are refused', () => {
    const rules = resolveRules({ scale: 20, overrides: [{ name: 'http.session', points: 5, perMs: 60_000 }] });
    expect(rules.get('http.lti-login')).toEqual({ points: 6000, perMs: 60_000 });
    expect(rules.get('http.session')).toEqual({ points: 5, perMs: 60_000 });
    expect(resolveRules({ scale: 0.01, overrides: [] }).get('hand')!.points).toBe(1);
    expect(() => resolveRules({ scale: 1, overrides: [{ name: '__proto__', points: 1, perMs: 1 }] })).toThrow(
      /Unknown rate limit rule/,
    );
    expect(parseRuleOverrides(' http.session=5/60000 , wb.op=10/1000')).toEqual({
      overrides: [
        { name: 'http.session', points: 5, perMs: 60000 },
        { name: 'wb.op', points: 10, perMs: 1000 },
      ],
      problems: [],
    });
    expect(parseRuleOverrides('nope=1/1,http.admin=0/5,wb.op=x').problems).toEqual([
      expect.stringMatching(/^nope is not a rule/),
      'http.admin=0/5: points and perMs must be at least 1',
      '"wb.op=x" is not name=points/perMs',
    ]);
  });

  it('reads its settings from the configuration: scale 1, or 20 in tests; a bad rule stops the start; trust proxy never true', () => {
    expect(
      loadConfig({ ...env, NODE_ENV: 'production', PUBLIC_URL: 'https://lectern.example.edu' }).rateLimits,
    ).toEqual({ scale: 1, overrides: [] });
    expect(loadConfig({ ...env, NODE_ENV: 'test' }).rateLimits.scale).toBe(20);
    expect(
      loadConfig({ ...env, NODE_ENV: 'test', RATE_LIMIT_SCALE: '1', RATE_LIMIT_RULES: 'chat=3/1000' }).rateLimits,
    ).toEqual({ scale: 1, overrides: [{ name: 'chat', points: 3, perMs: 1000 }] });
    expect(() => loadConfig({ ...env, RATE_LIMIT_RULES: 'chat=3' })).toThrow(
      /RATE_LIMIT_RULES "chat=3" is not name=points\/perMs/,
    );
    expect(loadConfig(env).trustProxy).toBe('loopback');
    expect(loadConfig({ ...env, TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ ...env, TRUST_PROXY: 'loopback, 10.0.0.0/8' }).trustProxy).toBe('loopback, 10.0.0.0/8');
    expect(() => loadConfig({ ...env, TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY must not be true/);
  });

  it('limits the HTTP paths however they are spelt, and nothing else', () => {
    expect(httpRuleOf('/lti/login')).toBe('http.lti-login');
    expect(httpRuleOf('/LTI/Login/')).toBe('http.lti-login');
    expect(httpRuleOf('/lti/register')).toBe('http.lti-register');
    expect(httpRuleOf('/api/session/exchange')).toBe('http.session');
    expect(httpRuleOf('/api//session/exchange')).toBe('http.session');
    expect(httpRuleOf('/api/admin')).toBe('http.admin');
    expect(httpRuleOf('/api/admin/platforms/x/disable')).toBe('http.admin');
    expect(httpRuleOf('/api/%61dmin/platforms')).toBe('http.admin');
    expect(httpRuleOf('/api/administrator')).toBeNull();
    expect(httpRuleOf('/api/health')).toBeNull();
    expect(httpRuleOf('/lti')).toBeNull();
    expect(httpRuleOf('/api/%E0%A4%A')).toBeNull();
  });

  it('keys clients by IPv4 address (also IPv4-mapped) and by IPv6 /64', () => {
    expect(clientAddressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(clientAddressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(clientAddressKey('::FFFF:cb00:7107')).toBe('203.0.113.7');
    expect(clientAddressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(clientAddressKey('2001:0db8:0001:0002:ffff:1:2:3')).toBe('2001:db8:1:2::/64');
    expect(clientAddressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientAddressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(clientAddressKey('::1')).toBe('0:0:0:0::/64');
    expect(clientAddressKey('')).toBe('unknown');
  });
});
