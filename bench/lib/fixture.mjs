// What the server benches share: a throwaway PostgreSQL and Redis, N backend instances (the built
// dist/) behind a load balancer, and a course made directly in the database with its classrooms, live
// classes, an instructor and students, each with a session token signed as a launch's is (the benches
// measure the classroom, not the LTI launch). Loopback only.
//
//   const stack = await startBenchStack({ instances: 2, env: { RATE_LIMIT_SCALE: '1000' } });
//   try {
//     const course = await seedCourse(stack, { rooms: 3, students: 300 });
//     ... course.students[i].token, course.students[i].sessionId, course.teacher.token ...
//   } finally {
//     await stack.stop();
//   }
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startProxy } from '../../scripts/lb-proxy.mjs';
import { freePort, startPostgres, startRedis, SERVER_NODE_FLAGS } from '../../scripts/services.mjs';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** `--name value` from the command line as a number, or the default. */
export function numberArg(name, def) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}

/** `--name value` from the command line as a string, or the default. */
export function stringArg(name, def) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
}

/**
 * Starts PostgreSQL, Redis, the load balancer and `instances` backend processes, waits until every
 * instance answers /api/health (and HAProxy sees them all UP), and connects a pg client.
 *
 * - lb: 'node' (scripts/lb-proxy.mjs, round robin), 'haproxy' (the deploy recipe's, TLS: `ca` is its
 *   certificate for clients) or 'none' (publicUrl is the first instance; clients pick their instance
 *   from `ports`).
 * - env: what this bench adds to the backend's environment (it wins over the defaults here).
 * - nodeFlags: extra Node flags for the backend processes; serverStdout: 'ignore' or 'inherit'.
 *
 * On any failure what was started is stopped again. `stop()` tears everything down (idempotent).
 */
export async function startBenchStack({
  instances = 2,
  lb = 'node',
  env = {},
  nodeFlags = [],
  serverStdout = 'ignore',
  tmpPrefix = 'lectern-bench-',
} = {}) {
  const mainJs = path.join(root, 'dist/backend/src/main.js');
  if (!fs.existsSync(mainJs)) throw new Error('run `npm run build:backend` first');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), tmpPrefix));
  const stack = { dir, procs: [], ports: [], ca: undefined };
  // Undone in reverse order by stop(), whatever was reached.
  const undo = [() => fs.rmSync(dir, { recursive: true, force: true })];
  let stopped = false;
  stack.stop = async () => {
    if (stopped) return;
    stopped = true;
    for (const step of undo.reverse()) await Promise.resolve(step()).catch(() => undefined);
  };
  try {
    stack.pgServer = await startPostgres({ dir: path.join(dir, 'pg'), port: await freePort(), persistent: false });
    undo.push(() => stack.pgServer.stop());
    await stack.pgServer.ensureDatabase('bench');
    stack.redisServer = await startRedis({ dir: path.join(dir, 'redis'), port: await freePort(), persistent: false });
    undo.push(() => stack.redisServer.stop());
    for (let i = 0; i < instances; i++) stack.ports.push(await freePort());

    if (lb === 'haproxy') {
      const { startHaproxy } = await import('../../scripts/lb-haproxy.mjs');
      stack.proxy = await startHaproxy({ backendPorts: stack.ports });
      stack.publicUrl = stack.proxy.url;
      stack.ca = fs.readFileSync(stack.proxy.pem, 'utf8');
    } else if (lb === 'node') {
      stack.proxy = await startProxy({ backends: stack.ports.map((port) => ({ port })) });
      stack.publicUrl = `http://localhost:${stack.proxy.port}`;
    } else if (lb === 'none') {
      stack.proxy = null;
      stack.publicUrl = `http://localhost:${stack.ports[0]}`;
    } else throw new Error(`unknown load balancer ${lb} (node, haproxy or none)`);
    if (stack.proxy) undo.push(() => stack.proxy.close());

    stack.secret = crypto.randomBytes(24).toString('hex');
    const serverEnv = {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      DATABASE_URL: stack.pgServer.url('bench'),
      REDIS_URL: stack.redisServer.url,
      PUBLIC_URL: stack.publicUrl,
      DEV_PLATFORM: 'true',
      DEV_PLATFORM_URL: `${stack.publicUrl}/dev-platform`,
      LTI_KEY: crypto.randomBytes(24).toString('hex'),
      SESSION_SECRET: stack.secret,
      QUEUE_PREFIX: 'bench',
      ...(process.env.MEDIASOUP_WORKER_BIN ? { MEDIASOUP_WORKER_BIN: process.env.MEDIASOUP_WORKER_BIN } : {}),
      ...env,
    };
    undo.push(async () => {
      for (const p of stack.procs) p.kill('SIGTERM');
      await Promise.all(stack.procs.map((p) => new Promise((r) => (p.exitCode !== null ? r() : p.once('exit', r)))));
    });
    for (const port of stack.ports) {
      const p = spawn(process.execPath, [...SERVER_NODE_FLAGS, ...nodeFlags, mainJs], {
        env: { ...serverEnv, PORT: String(port) },
        stdio: ['ignore', serverStdout, 'inherit'],
      });
      stack.procs.push(p);
      await untilHealthy(p, port);
    }
    if (lb === 'haproxy') {
      for (let i = 0; i < 300; i++) {
        if (Object.values(await stack.proxy.servers()).filter((st) => st === 'UP').length >= instances) break;
        await sleep(100);
      }
    }

    stack.db = new pg.Client({ connectionString: stack.pgServer.url('bench') });
    await stack.db.connect();
    undo.push(() => stack.db.end());
    /** Rows of one statement. */
    stack.query = async (sql, params) => (await stack.db.query(sql, params)).rows;
    const { SessionTokens } = require(path.join(root, 'dist/backend/src/platform/auth/session-token.js'));
    stack.tokens = new SessionTokens(stack.secret, stack.publicUrl, 3600);
    return stack;
  } catch (e) {
    await stack.stop();
    throw e;
  }
}

/**
 * Waits until one instance answers /api/health; throws when it exits first or after three minutes (on
 * this shared 2-core machine at a load of 40 a boot took over 60 s).
 */
async function untilHealthy(proc, port) {
  for (let i = 0; i < 1800; i++) {
    if (proc.exitCode !== null) throw new Error(`the backend on :${port} exited with ${proc.exitCode}`);
    if ((await fetch(`http://127.0.0.1:${port}/api/health`).catch(() => null))?.ok) return;
    await sleep(100);
  }
  throw new Error(`the backend on :${port} was not healthy within 180 s`);
}

/**
 * One course of the dev platform (which the backend registers at start) with `rooms` classrooms, each
 * with a live class started by the instructor, and `students` learners; student i sits in room
 * i % rooms. Every person gets a session token for their room (the instructor for the first).
 * enrol: also write enrolment rows (what the attendance report reads).
 *
 * Returns { platformId, deploymentId, courseId, rooms: [{ activityId, sessionId }],
 *           teacher: { id, name, token }, students: [{ i, id, name, token, activityId, sessionId }],
 *           tokenFor(person, room, role) }.
 */
export async function seedCourse(
  stack,
  { key = 'bench', rooms = 1, students = 0, enrol = false, studentName = (i) => `Student ${i}` } = {},
) {
  if (!(rooms >= 1)) throw new Error('a course needs at least one room');
  const q = stack.query;
  const [{ id: platformId }] = await q(`SELECT id FROM lti_platform LIMIT 1`);
  const [{ id: deploymentId }] = await q(`SELECT id FROM lti_deployment WHERE platform_id = $1 LIMIT 1`, [platformId]);
  const [{ id: courseId }] = await q(
    `INSERT INTO course (platform_id, deployment_id, context_id, title) VALUES ($1, $2, $3, 'Bench course') RETURNING id`,
    [platformId, deploymentId, `${key}-course`],
  );
  const [{ id: teacherId }] = await q(
    `INSERT INTO lti_user (platform_id, subject, name) VALUES ($1, $2, 'Teacher') RETURNING id`,
    [platformId, `${key}-teacher`],
  );
  if (enrol)
    await q(`INSERT INTO enrolment (course_id, user_id, role) VALUES ($1, $2, 'instructor')`, [courseId, teacherId]);
  const roomList = [];
  for (let r = 0; r < rooms; r++) {
    const [{ id: activityId }] = await q(
      `INSERT INTO classroom_activity (course_id, resource_link_id, title) VALUES ($1, $2, $3) RETURNING id`,
      [courseId, `${key}-rl-${r}`, `Room ${r}`],
    );
    const [{ id: sessionId }] = await q(
      `INSERT INTO live_session (activity_id, course_id, started_by) VALUES ($1, $2, $3) RETURNING id`,
      [activityId, courseId, teacherId],
    );
    roomList.push({ activityId, sessionId });
  }
  const names = Array.from({ length: students }, (_, i) => studentName(i));
  const rows = await q(
    `INSERT INTO lti_user (platform_id, subject, name)
       SELECT $1, $2 || '-student-' || n, name FROM unnest($3::text[]) WITH ORDINALITY AS t(name, n) ORDER BY n
     RETURNING id`,
    [platformId, key, names],
  );
  if (enrol)
    await q(`INSERT INTO enrolment (course_id, user_id, role) SELECT $1, unnest($2::uuid[]), 'learner'`, [
      courseId,
      rows.map((s) => s.id),
    ]);

  const tokenFor = async (person, room = roomList[0], role = 'learner') =>
    (
      await stack.tokens.issue({
        platformId,
        deploymentId,
        courseId,
        activityId: room.activityId,
        userId: person.id,
        role,
        name: person.name,
      })
    ).token;
  const teacher = { id: teacherId, name: 'Teacher' };
  teacher.token = await tokenFor(teacher, roomList[0], 'instructor');
  const people = [];
  for (const [i, { id }] of rows.entries()) {
    const room = roomList[i % rooms];
    const person = { i, id, name: names[i], ...room };
    person.token = await tokenFor(person, room);
    people.push(person);
  }
  return { platformId, deploymentId, courseId, rooms: roomList, teacher, students: people, tokenFor };
}
