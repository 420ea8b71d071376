import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataSourceOptions } from '../../platform/database';
import { createTestDatabase } from '../../testing/test-app';
import { ActivityRepository } from './activity.repository';
import { CourseRepository } from './course.repository';
import { PlatformRepository } from './platform.repository';
import { TenancyTransaction } from './tenancy-transaction';

describe('tenancy repositories (real Postgres)', () => {
  let db: DataSource;
  let platforms: PlatformRepository;
  let courses: CourseRepository;
  let activities: ActivityRepository;
  const count = async (table: string) =>
    ((await db.query(`SELECT count(*)::int AS n FROM ${table}`)) as Array<{ n: number }>)[0].n;
  const platform = {
    issuer: 'https://lms.example.edu',
    clientId: 'c1',
    name: 'LMS',
    ltijsKid: 'kid-1',
    source: 'manual' as const,
    acceptNewDeployments: false,
  };

  beforeAll(async () => {
    db = new DataSource(dataSourceOptions(await createTestDatabase()));
    await db.initialize();
    platforms = new PlatformRepository(db);
    courses = new CourseRepository(db);
    activities = new ActivityRepository(db);
  });
  afterAll(() => db?.destroy());

  it('upserts a platform: one row per issuer and client, updated and re-enabled, deployments added once', async () => {
    await platforms.upsert({ ...platform, deployments: ['d1'] });
    const first = (await platforms.findByIssuer(platform.issuer, platform.clientId))!;
    expect(first).toMatchObject({
      clientId: 'c1',
      name: 'LMS',
      ltijsKid: 'kid-1',
      active: true,
      source: 'manual',
      deployments: ['d1'],
    });

    expect(await platforms.setActive(first.id, false)).toEqual({
      id: first.id,
      issuer: platform.issuer,
      clientId: 'c1',
    });
    expect(await platforms.disabledIds()).toEqual([first.id]);
    await platforms.upsert({
      ...platform,
      name: 'LMS renamed',
      ltijsKid: 'kid-2',
      acceptNewDeployments: true,
      deployments: ['d1', 'd2'],
    });
    const again = (await platforms.findByIssuer(platform.issuer, platform.clientId))!;
    expect(again).toMatchObject({
      id: first.id,
      name: 'LMS renamed',
      ltijsKid: 'kid-2',
      active: true,
      acceptNewDeployments: true,
    });
    expect([...again.deployments].sort()).toEqual(['d1', 'd2']);
    expect(await count('lti_platform')).toBe(1);
    expect(await platforms.disabledIds()).toEqual([]);
    expect(await platforms.findByIssuer(platform.issuer, 'other')).toBeNull();
  });

  it('adds a deployment once, however many launches race for it', async () => {
    const p = (await platforms.findByIssuer(platform.issuer, platform.clientId))!;
    const ids = await Promise.all([1, 2, 3].map(() => platforms.addDeployment(p.id, 'd3')));
    expect(new Set(ids).size).toBe(1);
    expect(await platforms.findForLaunch(platform.issuer, 'c1', 'd3')).toEqual({
      id: p.id,
      active: true,
      acceptNewDeployments: true,
      deploymentRowId: ids[0],
    });
    expect(await platforms.findForLaunch(platform.issuer, 'c1', 'nope')).toMatchObject({ deploymentRowId: null });
    expect(await platforms.setActive('00000000-0000-4000-8000-000000000000', false)).toBeNull();
  });

  it('upserts a course, a user and an enrolment in place, keeping their ids', async () => {
    const p = (await platforms.findByIssuer(platform.issuer, platform.clientId))!;
    const dep = (await platforms.findForLaunch(platform.issuer, 'c1', 'd1'))!.deploymentRowId!;
    const courseId = await courses.upsertCourse({
      platformId: p.id,
      deploymentRowId: dep,
      contextId: 'ctx',
      title: 'Physics',
      label: null,
    });
    expect(
      await courses.upsertCourse({
        platformId: p.id,
        deploymentRowId: dep,
        contextId: 'ctx',
        title: 'Physics II',
        label: 'PHY',
      }),
    ).toBe(courseId);
    expect(await courses.findCourse(courseId, p.id)).toEqual({
      id: courseId,
      title: 'Physics II',
      label: 'PHY',
      timeZone: null,
    });
    expect(await courses.findCourse(courseId, '00000000-0000-4000-8000-000000000000')).toBeNull();
    expect(await courses.findCourse(courseId, null)).toMatchObject({ id: courseId });

    const userId = await courses.upsertUser({ platformId: p.id, subject: 'sub-1', name: 'Ada', email: null });
    expect(
      await courses.upsertUser({ platformId: p.id, subject: 'sub-1', name: 'Ada L.', email: 'ada@example.edu' }),
    ).toBe(userId);
    expect(await db.query(`SELECT name, email FROM lti_user WHERE id = $1`, [userId])).toEqual([
      { name: 'Ada L.', email: 'ada@example.edu' },
    ]);
    // The LMS's language is kept; a launch that does not say keeps the one known.
    await courses.upsertUser({ platformId: p.id, subject: 'sub-1', name: 'Ada L.', email: null, locale: 'es-419' });
    await courses.upsertUser({ platformId: p.id, subject: 'sub-1', name: 'Ada L.', email: null, locale: null });
    expect(await db.query(`SELECT locale FROM lti_user WHERE id = $1`, [userId])).toEqual([{ locale: 'es-419' }]);

    await courses.upsertEnrolment({ courseId, userId, role: 'learner', ltiRoles: ['L'] });
    await courses.upsertEnrolment({ courseId, userId, role: 'instructor', ltiRoles: ['I'] });
    expect(await db.query(`SELECT role, lti_roles FROM enrolment`)).toEqual([{ role: 'instructor', lti_roles: ['I'] }]);
    expect(await courses.sessionStanding({ platformId: p.id, courseId, userId, activityId: null })).toEqual({
      platformActive: true,
      enrolled: true,
      removedFromClass: false,
      role: 'instructor',
      rosterStatus: null,
    });
    expect(
      await courses.sessionStanding({
        platformId: '00000000-0000-4000-8000-000000000000',
        courseId,
        userId,
        activityId: null,
      }),
    ).toBeNull();
  });

  it("keeps a course's service endpoints that a later launch does not name", async () => {
    const [{ id: courseId }] = await db.query(`SELECT id FROM course`);
    const services = async () =>
      (
        await db.query(`SELECT nrps_url, ags_lineitems_url, ags_scopes FROM course_lti_service WHERE course_id = $1`, [
          courseId,
        ])
      )[0];
    await courses.upsertServices({
      courseId,
      nrpsUrl: 'https://n/1',
      agsLineItemsUrl: 'https://a/1',
      agsScopes: ['s1'],
    });
    await courses.upsertServices({ courseId, nrpsUrl: null, agsLineItemsUrl: null, agsScopes: [] });
    expect(await services()).toEqual({ nrps_url: 'https://n/1', ags_lineitems_url: 'https://a/1', ags_scopes: ['s1'] });
    await courses.upsertServices({
      courseId,
      nrpsUrl: 'https://n/2',
      agsLineItemsUrl: 'https://a/2',
      agsScopes: ['s2'],
    });
    expect(await services()).toEqual({ nrps_url: 'https://n/2', ags_lineitems_url: 'https://a/2', ags_scopes: ['s2'] });
    expect(await count('course_lti_service')).toBe(1);
  });

  it("upserts a resource link's activity and binds links to activities", async () => {
    const [{ id: courseId }] = await db.query(`SELECT id FROM course`);
    const a = await activities.upsertForLink(courseId, { resourceLinkId: 'rl-1', title: 'Week 1', description: null });
    expect(
      await activities.upsertForLink(courseId, { resourceLinkId: 'rl-1', title: 'Week 1 (renamed)', description: 'x' }),
    ).toBe(a);
    expect(await activities.findInCourse(a, courseId)).toEqual({
      id: a,
      title: 'Week 1 (renamed)',
      description: null,
      attendancePoints: null,
      scheduledFor: null,
    });
    expect(await activities.boundTo(courseId, 'rl-1')).toBeNull();
    await activities.bindLink(courseId, 'rl-1', a);
    expect(await activities.boundTo(courseId, 'rl-1')).toBe(a);

    const b = await activities.create({
      courseId,
      title: 'Placed',
      description: null,
      attendancePoints: 5,
      quizPoints: null,
      scheduledFor: '2030-01-02T03:04:05Z',
    });
    await activities.bindLink(courseId, 'rl-1', b);
    expect(await activities.boundTo(courseId, 'rl-1')).toBe(b);
    expect(await count('activity_link')).toBe(1);
    // rl-1 is activity a's own link: b cannot claim it, but it can claim a free one, once.
    await activities.claimResourceLink(b, courseId, 'rl-1');
    await activities.claimResourceLink(b, courseId, 'rl-2');
    await activities.claimResourceLink(b, courseId, 'rl-3');
    expect(await db.query(`SELECT resource_link_id FROM classroom_activity WHERE id = $1`, [b])).toEqual([
      { resource_link_id: 'rl-2' },
    ]);
    expect(
      (await activities.listInCourse(courseId, 10)).map((x) => [
        x.id,
        x.attendancePoints,
        x.scheduledFor?.toISOString() ?? null,
      ]),
    ).toEqual([
      [b, 5, '2030-01-02T03:04:05.000Z'],
      [a, null, null],
    ]);
  });

  it('replaces frame origins and lists them among the framing URLs of active platforms only', async () => {
    const p = (await platforms.findByIssuer(platform.issuer, platform.clientId))!;
    await platforms.replaceFrameOrigins(p.id, ['https://a.example', 'https://b.example']);
    expect(await platforms.replaceFrameOrigins(p.id, ['https://c.example'])).toEqual({
      id: p.id,
      issuer: platform.issuer,
      clientId: 'c1',
    });
    expect((await platforms.framingUrls()).sort()).toEqual(['https://c.example', platform.issuer]);
    expect(await platforms.replaceFrameOrigins('00000000-0000-4000-8000-000000000000', [])).toBeNull();
    await platforms.setActive(p.id, false);
    expect(await platforms.framingUrls()).toEqual([]);
    await platforms.setActive(p.id, true);
    expect(await platforms.list()).toEqual([
      expect.objectContaining({ id: p.id, deployments: ['d1', 'd2', 'd3'], courses: 1, createdAt: expect.any(Date) }),
    ]);
    expect(await platforms.identities(null)).toEqual([{ id: p.id, issuer: platform.issuer, clientId: 'c1' }]);
    expect(await platforms.identities('00000000-0000-4000-8000-000000000000')).toEqual([]);
  });

  it('a transaction that throws leaves none of its writes', async () => {
    const p = (await platforms.findByIssuer(platform.issuer, platform.clientId))!;
    const users = await count('lti_user');
    await expect(
      new TenancyTransaction(db).run(async (tx) => {
        await tx.courses.upsertUser({ platformId: p.id, subject: 'sub-rolled-back', name: 'Gone', email: null });
        await tx.platforms.addDeployment(p.id, 'd-rolled-back');
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(await count('lti_user')).toBe(users);
    expect(await platforms.findForLaunch(platform.issuer, 'c1', 'd-rolled-back')).toMatchObject({
      deploymentRowId: null,
    });
  });
});
