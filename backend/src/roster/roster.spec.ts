import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RosterView } from '../contracts/api';
import { DevLmsServices } from '../dev-platform/dev-lms-services';
import { GENERATED_MEMBERS } from '../dev-platform/domain/dev-lms-fixture';
import { PlatformServiceError } from '../lti/infra/platform-service-client';
import { LaunchClient } from '../testing/lti-client';
import { startTestApp, TestApp } from '../testing/test-app';
import { waitFor } from '../testing/wait-for';
import { RosterService } from './roster.service';

describe('roster sync through NRPS (dev LMS, real Postgres, Redis, Bull)', () => {
  let t: TestApp;
  let client: LaunchClient;
  let lms: DevLmsServices;
  let roster: RosterService;
  let teacher: string;
  let courseId: string;

  beforeAll(async () => {
    t = await startTestApp();
    client = new LaunchClient(t);
    lms = t.app.get(DevLmsServices);
    roster = t.app.get(RosterService);
    await lms.setFault('nrps', null);
    teacher = await client.launch('phys-101', 'dev-ada');
    [{ id: courseId }] = await t.db.query(`SELECT id FROM course WHERE context_id = 'phys-101'`);
  });
  afterAll(async () => {
    await lms?.setFault('nrps', null);
    await t?.close();
  });
  beforeEach(() => lms.setFault('nrps', null));

  const view = async (): Promise<RosterView> => (await (await client.api('/api/roster', teacher)).json()) as RosterView;

  it('syncs every page of a large course after the first launch, with LMS statuses', async () => {
    const v = await waitFor(async () => {
      const r = await view();
      return r.sync?.status === 'ok' ? r : null;
    }, 'the roster sync the launch queued');
    const total = 4 + GENERATED_MEMBERS; // Ada, Grace, Alan and Grace's observer Mary
    expect(v.rosterServiceOffered).toBe(true);
    expect(v.sync).toMatchObject({ members: total, pages: Math.ceil(total / 100), error: null });
    expect(v.members).toHaveLength(total);
    expect(v.members.filter((m) => m.status === 'inactive')).toHaveLength(Math.floor(GENERATED_MEMBERS / 50));
    const ada = v.members.find((m) => m.subject === 'dev-ada')!;
    expect(ada).toMatchObject({ name: 'Ada Lovelace', role: 'instructor', source: 'lms' });
    expect(ada.lastLaunchAt).not.toBeNull();
    // Absentees are known, not only attendees.
    expect(v.members.filter((m) => m.lastLaunchAt === null).length).toBe(total - 1);
  });

  it('shows who is in a live class of the course now', async () => {
    const started = (await (await client.api('/api/classroom/sessions', teacher, { method: 'POST' })).json()) as {
      session: { id: string };
    };
    const { RoomClient } = await import('../testing/room-client');
    const grace = await client.launch('phys-101', 'dev-grace');
    const c = new RoomClient(t.url, grace);
    await c.connected();
    expect((await c.emit('room:join', { sessionId: started.session.id })).ok).toBe(true);
    const v = await view();
    expect(v.members.filter((m) => m.hereNow).map((m) => m.subject)).toEqual(['dev-grace']);
    c.close();
  });

  it('marks members the LMS no longer lists as deleted', async () => {
    await t.db.query(
      `INSERT INTO roster_member (course_id, subject, name, status) VALUES ($1, 'dev-left-the-course', 'Gone Student', 'active')`,
      [courseId],
    );
    const result = await roster.sync(courseId);
    expect(result.removed).toBe(1);
    const [row] = await t.db.query(`SELECT status FROM roster_member WHERE subject = 'dev-left-the-course'`);
    expect(row.status).toBe('deleted');
  });

  it('lets the instructor ask for a sync, and refuses students', async () => {
    const res = await client.api('/api/roster/sync', teacher, { method: 'POST' });
    expect(res.status).toBe(202);
    const student = await client.launch('phys-101', 'dev-grace');
    expect((await client.api('/api/roster/sync', student, { method: 'POST' })).status).toBe(403);
    expect((await client.api('/api/roster', student)).status).toBe(403);
  });

  it.each([
    ['500', 'PLATFORM_UNAVAILABLE', true],
    ['429', 'PLATFORM_UNAVAILABLE', true],
    ['401', 'PLATFORM_UNAUTHORIZED', false],
    ['malformed', 'PLATFORM_BAD_RESPONSE', true],
  ] as const)(
    'records an NRPS answering %s as a failed sync, keeping the roster it had',
    async (fault, code, retryable) => {
      const before = await t.db.query(
        `SELECT count(*)::int AS n FROM roster_member WHERE course_id = $1 AND status <> 'deleted'`,
        [courseId],
      );
      await lms.setFault('nrps', fault);
      const err = await roster.sync(courseId).catch((e) => e);
      expect(err).toBeInstanceOf(PlatformServiceError);
      expect(err).toMatchObject({ code, retryable });
      const v = await view();
      expect(v.sync?.status).toBe('failed');
      expect(v.sync?.error).toBeTruthy();
      const after = await t.db.query(
        `SELECT count(*)::int AS n FROM roster_member WHERE course_id = $1 AND status <> 'deleted'`,
        [courseId],
      );
      expect(after[0].n).toBe(before[0].n);
    },
  );

  it('gets a new access token once when the LMS revoked the cached one', async () => {
    await roster.sync(courseId); // a token is now cached
    const redis = (lms as unknown as { redis: import('ioredis').default }).redis;
    expect(await lms.revokeTokens()).toBeGreaterThan(0);
    await roster.sync(courseId);
    expect(await redis.scard(lms.tokensSetKey)).toBe(1);
  });
});
