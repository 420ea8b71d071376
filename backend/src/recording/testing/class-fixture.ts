import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { BoardOp } from '../../contracts/whiteboard';
import type { TimedOp } from '../domain/board-timeline';
import { CaptureRunInput } from '../domain/capture-timeline';
import { parseSegmentList } from '../domain/segment-list';
import { writeCaptureRun } from './capture-fixture';

/**
 * A synthetic class of `seconds` seconds as capture and the whiteboard leave it: the teacher's camera in
 * two runs (a camera off and on: a gap), a screen share in the middle, the teacher's and a student's
 * microphones, and strokes on two board pages with the teacher turning to the second page.
 */
export interface FixtureClass {
  origin: Date;
  end: Date;
  runs: CaptureRunInput[];
  ops: TimedOp[];
  pageChanges: Array<{ page: string; at: Date }>;
  marks: Array<{ kind: 'screen-start' | 'screen-stop'; at: Date }>;
}

export async function makeFixtureClass(
  recordingDir: string,
  prefix: string,
  seconds = 20,
  origin = new Date(Date.UTC(2026, 11, 4, 9, 0, 0)),
): Promise<FixtureClass> {
  const at = (s: number) => new Date(origin.getTime() + s * 1000);
  const s = (f: number) => Math.round(seconds * f);
  const specs: Array<{
    id: string;
    kind: 'video' | 'audio' | 'screen';
    role: string;
    from: number;
    to: number;
    tone?: number;
  }> = [
    { id: 'cam1', kind: 'video', role: 'teacher', from: 0, to: s(0.4) },
    { id: 'cam2', kind: 'video', role: 'teacher', from: s(0.5), to: seconds },
    { id: 'screen', kind: 'screen', role: 'teacher', from: s(0.25), to: s(0.6) },
    { id: 'mic-t', kind: 'audio', role: 'teacher', from: 0, to: seconds, tone: 440 },
    { id: 'mic-s', kind: 'audio', role: 'student', from: s(0.15), to: s(0.75), tone: 660 },
  ];
  // Each run is its own FFmpeg process, made side by side.
  const runs: CaptureRunInput[] = await Promise.all(
    specs.map(async (r, i) => {
      const playlist = await writeCaptureRun(recordingDir, `${prefix}/${r.id}`, r.kind, r.to - r.from, r.tone);
      return {
        id: `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`,
        kind: r.kind,
        role: r.role,
        userId: null,
        startedAt: at(r.from),
        playlist,
        segments: parseSegmentList(await readFile(path.join(recordingDir, playlist), 'utf8')),
      };
    }),
  );
  const ops: TimedOp[] = [];
  const op = (t: number, o: BoardOp, userId = 'teacher-1') =>
    ops.push({ pos: ops.length + 1, at: at(t).getTime(), userId, op: o });
  const stroke = (id: string, page: string, y: number) => ({
    type: 'add' as const,
    opId: `op-${id}`,
    page,
    elementId: id,
    element: {
      kind: 'stroke' as const,
      tool: 'pen' as const,
      colour: '#1d4ed8',
      width: 4,
      points: [
        [100, y],
        [400, y + 50],
      ] as [number, number][],
    },
  });
  for (let i = 0; i < 8; i++) op(s(0.05) + i * 0.5, stroke(`s1-${i}`, 'page-1', 100 + i * 60));
  op(s(0.78), { type: 'add-page', opId: 'op-page2', page: 'page-2', title: 'Worked example' });
  for (let i = 0; i < 6; i++)
    op(s(0.8) + i * 0.5, stroke(`s2-${i}`, 'page-2', 120 + i * 70), i % 2 ? 'student-1' : 'teacher-1');
  return {
    origin,
    end: at(seconds),
    runs,
    ops,
    pageChanges: [{ page: 'page-2', at: at(s(0.8)) }],
    marks: [
      { kind: 'screen-start', at: at(s(0.25)) },
      { kind: 'screen-stop', at: at(s(0.6)) },
    ],
  };
}
