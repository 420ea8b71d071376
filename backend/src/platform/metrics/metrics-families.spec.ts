import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaAckData, MediaEvents, MediaServerEvents } from '../../contracts/media';
import { ClientEvents } from '../../contracts/realtime';
import { WhiteboardEvents } from '../../contracts/whiteboard';
import { DevLmsServices } from '../../dev-platform/dev-lms-services';
import { GRADES_QUEUE } from '../../grades/grades.service';
import { MediaService } from '../../media/media.service';
import { fingerprint, heard, ok, opus } from '../../media/testing/signalling';
import { mediaTestsOptedOut, requireWorker } from '../../media/testing/worker-check';
import { LaunchClient } from '../../testing/lti-client';
import { RoomClient } from '../../testing/room-client';
import { startTestApp, TestApp } from '../../testing/test-app';
import { waitFor } from '../../testing/wait-for';
// @ts-expect-error plain ESM modules shared with the start scripts
import { freePort } from '../../../../scripts/services.mjs';

/** Every sample of a family in a Prometheus text exposition, with its labels. */
function samples(text: string, name: string): Array<{ labels: Record<string, string>; value: number }> {
  const out: Array<{ labels: Record<string, string>; value: number }> = [];
  for (const line of text.split('\n')) {
    const m = /^([^{ ]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    out.push({
      labels: Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]])),
      value: Number(m[3]),
    });
  }
  return out;
}
/** The sum of a family's samples whose labels include `match`. */
const total = (text: string, name: string, match: Record<string, string> = {}) =>
  samples(text, name)
    .filter((s) => Object.entries(match).every(([k, v]) => s.labels[k] === v))
    .reduce((n, s) => n + s.value, 0);

/**
 * The list of metric families, each scraped from the metrics port of a running instance before
 * and after real activity (a class with two people, a whiteboard stroke, media produced and consumed on
 * the real mediasoup worker, grades the dev LMS keeps waiting and refuses), and checked to move.
 */
describe.skipIf(mediaTestsOptedOut())('every metric family the operator is promised moves with real activity', () => {
  let t: TestApp;
  let metricsPort: number;
  let lms: DevLmsServices;
  const clients: RoomClient[] = [];
  const scrape = async () => (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();

  beforeAll(async () => {
    requireWorker();
    metricsPort = await freePort();
    // A long first retry: the grade the LMS answers 503 stays pending (its retry waits as a delayed job).
    t = await startTestApp({ METRICS_PORT: String(metricsPort), GRADE_RETRY_BASE_MS: '600000' });
    lms = t.app.get(DevLmsServices);
  }, 120_000);
  afterAll(async () => {
    for (const c of clients) c.close();
    await lms?.setFault('ags', null);
    await t?.close();
  });

  it('HTTP and socket rates and latencies, rooms and participants, media workers, queues, grades, whiteboard ops', async () => {
    const before = await scrape();
    const launch = new LaunchClient(t);
    const teacherToken = await launch.launch('phys-101', 'dev-ada');
    const studentToken = await launch.launch('phys-101', 'dev-grace');
    await launch.launch('phys-101', 'dev-alan');
    expect(
      (
        await launch.api('/api/classroom/grading', teacherToken, {
          method: 'PUT',
          body: JSON.stringify({ attendancePoints: 10 }),
        })
      ).status,
    ).toBe(200);
    const sessionId = (
      (await (await launch.api('/api/classroom/sessions', teacherToken, { method: 'POST' })).json()) as {
        session: { id: string };
      }
    ).session.id;

    async function member(token: string) {
      const c = new RoomClient(t.url, token);
      clients.push(c);
      await c.connected();
      expect((await c.emit(ClientEvents.join, { sessionId })).ok).toBe(true);
      const joined = await ok<MediaAckData[typeof MediaEvents.join]>(c, MediaEvents.join, {
        peerId: crypto.randomUUID(),
      });
      await ok(c, MediaEvents.ready, { rtpCapabilities: joined.routerRtpCapabilities });
      const transports: Record<'send' | 'recv', string> = { send: '', recv: '' };
      for (const direction of ['send', 'recv'] as const) {
        const tr = await ok<MediaAckData[typeof MediaEvents.createTransport]>(c, MediaEvents.createTransport, {
          direction,
        });
        await ok(c, MediaEvents.connectTransport, {
          transportId: tr.id,
          dtlsParameters: { role: 'client', fingerprints: [fingerprint()] },
        });
        transports[direction] = tr.id;
      }
      return { c, ...transports };
    }
    const teacher = await member(teacherToken);
    const student = await member(studentToken);

    // Media: the teacher's microphone, consumed by the student on the worker.
    const added = heard(student.c, MediaServerEvents.producerAdded);
    const mic = await ok<{ producerId: string }>(teacher.c, MediaEvents.produce, {
      transportId: teacher.send,
      kind: 'audio',
      source: 'mic',
      rtpParameters: opus(4242),
    });
    await added;
    await ok(student.c, MediaEvents.consume, { producerId: mic.producerId });

    // A whiteboard stroke.
    const op = {
      type: 'add',
      opId: `op-${crypto.randomBytes(6).toString('hex')}`,
      page: 'page-1',
      elementId: `stroke-${crypto.randomBytes(4).toString('hex')}`,
      element: { kind: 'stroke', tool: 'pen', colour: '#1d4ed8', width: 3, points: [[0, 0]] },
    };
    expect((await teacher.c.call(WhiteboardEvents.op, op)).ok).toBe(true);

    // Grades: one the LMS keeps waiting (503: pending, its job failed once and waits to retry), one it refuses (401: failed).
    const grade = (subject: string, scoreGiven: number) =>
      launch.api(`/api/grades/attendance/${subject}`, teacherToken, {
        method: 'PUT',
        body: JSON.stringify({ scoreGiven }),
      });
    const delayedBefore = total(before, 'lectern_queue_jobs', { queue: GRADES_QUEUE, state: 'delayed' });
    await lms.setFault('ags', '503');
    expect((await grade('dev-grace', 6)).status).toBe(200);
    await waitFor(
      async () => total(await scrape(), 'lectern_queue_failures_total', { queue: GRADES_QUEUE }) >= 1,
      "the 503 grade's post job counted failed",
      20_000,
    );
    await lms.setFault('ags', '401');
    expect((await grade('dev-alan', 4)).status).toBe(200);
    await waitFor(
      async () => total(await scrape(), 'lectern_grades', { status: 'failed' }) === 1,
      'the refused grade counted failed',
      20_000,
    );

    const after = await scrape();
    const moved = (name: string, match: Record<string, string> = {}) =>
      total(after, name, match) - total(before, name, match);
    const report = {
      http: moved('lectern_http_requests_total', { method: 'PUT', status: '2xx' }),
      httpLatency: moved('lectern_http_request_duration_seconds_count', { method: 'PUT' }),
      joins: moved('lectern_socket_events_total', { event: ClientEvents.join, outcome: 'ok' }),
      joinLatency: moved('lectern_socket_event_duration_seconds_count', { event: ClientEvents.join }),
      wbOps: moved('lectern_socket_events_total', { event: WhiteboardEvents.op, outcome: 'ok' }),
      wbLatency: moved('lectern_socket_event_duration_seconds_count', { event: WhiteboardEvents.op }),
      rooms: total(after, 'lectern_rooms'),
      participants: total(after, 'lectern_participants'),
      mediaRooms: total(after, 'lectern_media_rooms'),
      consumers: total(after, 'lectern_media_worker_consumers'),
      workerCpu: total(after, 'lectern_media_worker_cpu_seconds_total'),
      // The repeatable sweep waits as a delayed job from boot; the 503 grade's retry is one more.
      gradesQueued: total(after, 'lectern_queue_jobs', { queue: GRADES_QUEUE, state: 'delayed' }) - delayedBefore,
      gradeFailures: moved('lectern_queue_failures_total', { queue: GRADES_QUEUE }),
      pending: total(after, 'lectern_grades', { status: 'pending' }),
      failed: total(after, 'lectern_grades', { status: 'failed' }),
    };
    // Said beside the figures, so that a media count of 0 tells whether the sockets (and with them the
    // media peers) were dropped, or the class's media closed with its people still connected.
    const context = {
      socketsUp: clients.map((c) => c.socket.connected),
      hostedHere: t.app.get(MediaService).hostedClasses(),
      mediaServerNotices: clients.flatMap((c) => c.got<Record<string, unknown>>(MediaServerEvents.rejoin)),
    };
    console.log(`[metrics-families] ${JSON.stringify(report)} ${JSON.stringify(context)}`);
    expect(report.http).toBeGreaterThanOrEqual(3);
    expect(report.httpLatency).toBeGreaterThanOrEqual(3);
    expect(report.joins).toBe(2);
    expect(report.joinLatency).toBe(2);
    expect(report.wbOps).toBe(1);
    expect(report.wbLatency).toBe(1);
    expect(report, JSON.stringify(context)).toMatchObject({
      rooms: 1,
      participants: 2,
      mediaRooms: 1,
      consumers: 1,
      pending: 1,
      failed: 1,
    });
    expect(report.workerCpu).toBeGreaterThan(0);
    expect(report.gradesQueued).toBeGreaterThanOrEqual(1);
    // The 503 attempt failed its job (retryable: thrown); the 401 is the domain's own 'failed', not a job failure.
    expect(report.gradeFailures).toBe(1);
    // A queue with no failure yet is listed at zero from boot, so an alert can tell "none" from "unknown".
    expect(samples(before, 'lectern_queue_failures_total').map((s) => s.labels.queue)).toContain(GRADES_QUEUE);
    // The worker's CPU only grows.
    await new Promise((r) => setTimeout(r, 1200));
    expect(total(await scrape(), 'lectern_media_worker_cpu_seconds_total')).toBeGreaterThanOrEqual(report.workerCpu);
  }, 120_000);
});
