import crypto from 'node:crypto';
import { makeFixtureClass } from './class-fixture';

type Query = (sql: string, params: unknown[]) => Promise<unknown>;

/**
 * Puts a synthetic recorded class (makeFixtureClass: camera in two runs, a screen share, two microphones,
 * strokes on two board pages) in a live class's rows, as the live capture and the whiteboard leave them:
 * runs in recording_track, marks (start, screen, stop) in recording_mark, the board's op history with
 * times and the teacher's page change. The class's second 0 is its start in the database.
 */
export async function seedRecordedClass(query: Query, captureDir: string, sessionId: string, seconds: number) {
  const [{ started_at: origin }] = (await query(`SELECT started_at FROM live_session WHERE id = $1`, [
    sessionId,
  ])) as Array<{
    started_at: Date;
  }>;
  const fixture = await makeFixtureClass(captureDir, sessionId, seconds, new Date(origin));
  for (const run of fixture.runs) {
    await query(
      `INSERT INTO recording_track (id, session_id, kind, role, producer_id, playlist, started_at, ended_at, end_reason)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $7::timestamptz + make_interval(secs => $8), 'closed')`,
      [
        crypto.randomUUID(),
        sessionId,
        run.kind,
        run.role,
        `p-${run.id}`,
        run.playlist,
        run.startedAt,
        run.segments.at(-1)!.end,
      ],
    );
  }
  const mark = (kind: string, at: Date) =>
    query(`INSERT INTO recording_mark (session_id, at, kind) VALUES ($1, $2, $3)`, [sessionId, at, kind]);
  await mark('start', fixture.origin);
  for (const m of fixture.marks) await mark(m.kind, m.at);
  await mark('stop', fixture.end);
  for (const o of fixture.ops)
    await query(`INSERT INTO whiteboard_op_history (session_id, pos, at, user_id, op) VALUES ($1, $2, $3, $4, $5)`, [
      sessionId,
      o.pos,
      new Date(o.at),
      o.userId,
      JSON.stringify(o.op),
    ]);
  for (const c of fixture.pageChanges)
    await query(`INSERT INTO whiteboard_page_event (session_id, page, at) VALUES ($1, $2, $3)`, [
      sessionId,
      c.page,
      c.at,
    ]);
  return fixture;
}
