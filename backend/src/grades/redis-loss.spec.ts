import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GradebookView } from '../contracts/api';
import { DevLmsServices } from '../dev-platform/dev-lms-services';
import { LTI_MAINTENANCE_QUEUE } from '../lti/lti-maintenance.processor';
import { ROSTER_QUEUE } from '../roster/roster.service';
import { forgetRedisKeys } from '../testing/forget-redis-keys';
import { LaunchClient } from '../testing/lti-client';
import { startTestApp, TestApp } from '../testing/test-app';
import { waitFor } from '../testing/wait-for';
import { GRADES_QUEUE } from './grades.service';

describe('schedules that heal: Redis loses its data while a grade waits (real Postgres, Redis, Bull, dev LMS)', () => {
  let t: TestApp;
  let client: LaunchClient;
  let lms: DevLmsServices;
  let teacher: string;

  beforeAll(async () => {
    // A retry 10 minutes away: the waiting grade's only job sits in Redis, and goes with it.
    t = await startTestApp({ GRADE_RETRY_BASE_MS: '600000', SCHEDULE_CHECK_MS: '250' });
    client = new LaunchClient(t);
    lms = t.app.get(DevLmsServices);
    teacher = await client.launch('phys-101', 'dev-ada');
    for (const s of ['dev-grace', 'dev-alan']) await client.launch('phys-101', s);
    const res = await client.api('/api/classroom/grading', teacher, {
      method: 'PUT',
      body: JSON.stringify({ attendancePoints: 10 }),
    });
    expect(res.status).toBe(200);
  });
  afterAll(async () => {
    await lms?.setFault('ags', null);
    await t?.close();
  });

  const queue = (name: string) => t.app.get<Queue>(getQueueToken(name));
  const grade = (subject: string, scoreGiven: number) =>
    client.api(`/api/grades/attendance/${subject}`, teacher, { method: 'PUT', body: JSON.stringify({ scoreGiven }) });
  const cell = async (subject: string) => {
    const view = (await (await client.api('/api/grades', teacher)).json()) as GradebookView;
    return view.students.find((s) => s.subject === subject)?.attendance ?? null;
  };
  const lmsScores = async () =>
    (await lms.gradebook('phys-101')).scores.map((s) => ({ user: s.user_id, given: Number(s.score_given) }));
  const schedules = async () =>
    Object.fromEntries(
      await Promise.all(
        [GRADES_QUEUE, LTI_MAINTENANCE_QUEUE, ROSTER_QUEUE].map(async (name) => [
          name,
          (await queue(name).getRepeatableJobs()).map((j) => `${j.name}/${j.id}/${j.every}`),
        ]),
      ),
    );
  const everySchedule = {
    [GRADES_QUEUE]: ['sweep/grades-sweep/60000'],
    [LTI_MAINTENANCE_QUEUE]: ['purge/lti-purge/600000'],
    [ROSTER_QUEUE]: ['sync-all/roster-sync-all/21600000'],
  };

  it('delivers a pending grade and has every schedule back, without a restart', async () => {
    expect(await schedules()).toEqual(everySchedule);
    await lms.setFault('ags', '503');
    expect((await grade('dev-grace', 7)).status).toBe(200);
    const waiting = await waitFor(async () => {
      const c = await cell('dev-grace');
      return c && c.attempts >= 1 && c.lastError ? c : null;
    }, 'the first failed attempt');
    expect(waiting.status).toBe('pending');
    await waitFor(
      async () => (await queue(GRADES_QUEUE).getDelayed()).some((j) => j.id === waiting.outboxId),
      'the retry to wait in Redis',
    );

    // What FLUSHALL does to this app (the shared test Redis keeps the other test files' keys).
    expect(await forgetRedisKeys(t.config.redisUrl, t.config.queuePrefix)).toBeGreaterThan(0);
    await lms.setFault('ags', null);

    await waitFor(
      async () => (await cell('dev-grace'))?.status === 'sent',
      'the pending grade to be delivered',
      10_000,
    );
    expect(await lmsScores()).toContainEqual({ user: 'dev-grace', given: 7 });
    expect((await cell('dev-grace'))?.attempts).toBe(2); // posted again from the outbox, not from a job that survived
    expect(await schedules()).toEqual(everySchedule);
  });

  it('keeps processing new jobs after the loss', async () => {
    expect((await grade('dev-alan', 9)).status).toBe(200);
    await waitFor(async () => (await cell('dev-alan'))?.status === 'sent', 'a new grade to be delivered', 10_000);
    expect(await lmsScores()).toContainEqual({ user: 'dev-alan', given: 9 });
  });
});
