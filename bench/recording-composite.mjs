// Time from class end to recording ready, as a fraction of the class's length, for a 10-minute synthetic
// class: the teacher's camera (off and on once: two runs), a screen share of 3.5 minutes, two microphones
// and board activity (a stroke every 4 s, a new page every 2 minutes). The capture is made first with
// FFmpeg's test sources in the capture's format (VP8/Opus Matroska segments, not timed); then the job's
// work is timed: reading the segment lists, replaying the board, chapters, the audio mix and board video
// (side by side), the composite MP4, the HLS renditions and the upload to local-disk storage. What the
// job adds around it (a Bull job, a few SQL statements) is milliseconds and not included.
//
//   npm run -s build:backend && node bench/recording-composite.mjs [seconds]
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const dist = (p) => require(path.join(root, 'dist/backend/src/recording', p));
const { makeFixtureClass } = dist('testing/class-fixture.js');
const { Compositor, probeRecording, workFiles } = dist('composite/compositor.js');
const { placeRuns } = dist('domain/capture-timeline.js');
const { buildBoardTimeline } = dist('domain/board-timeline.js');
const { buildChapters } = dist('domain/chapters.js');
const { LocalDiskStorage } = dist('storage/local-disk-storage.js');

const seconds = Number(process.argv[2] ?? 600);
const dir = await mkdtemp(path.join(os.tmpdir(), 'lectern-bench-rec-'));
try {
  const t0 = Date.now();
  const fixture = await makeFixtureClass(path.join(dir, 'capture'), 'class', seconds);
  console.log(`capture fixture of ${seconds} s made in ${((Date.now() - t0) / 1000).toFixed(1)} s (not timed)`);
  // Board activity over the whole class: a stroke every 4 s, a new page every 2 minutes.
  const ops = [...fixture.ops];
  const pageChanges = [...fixture.pageChanges];
  let page = 'page-2';
  for (let t = 20, i = 0; t < seconds; t += 4, i++) {
    const at = fixture.origin.getTime() + t * 1000;
    if (t % 120 < 4 && t > 100) {
      page = `page-b${i}`;
      ops.push({ pos: ops.length + 1, at, userId: 't', op: { type: 'add-page', opId: `op-pg-${i}`, page } });
      pageChanges.push({ page, at: new Date(at + 500) });
    }
    const points = Array.from({ length: 40 }, (_, k) => [
      100 + k * 20 + (i % 7) * 10,
      100 + ((i * 37) % 700) + Math.sin(k / 3) * 30,
    ]);
    ops.push({
      pos: ops.length + 1,
      at: at + 1000,
      userId: 't',
      op: {
        type: 'add',
        opId: `op-s-${i}`,
        page,
        elementId: `el-${i}`,
        element: { kind: 'stroke', tool: 'pen', colour: '#1d4ed8', width: 3, points },
      },
    });
  }

  const start = Date.now();
  const steps = {};
  const runs = [];
  for (const r of fixture.runs) runs.push(r); // segment lists already read by the fixture, as the job reads them
  const timeline = placeRuns(runs, fixture.origin, fixture.end);
  const board = buildBoardTimeline(ops, pageChanges, fixture.origin, []);
  const chapters = buildChapters(
    [...fixture.marks, ...pageChanges.map((c) => ({ kind: 'page', at: c.at, label: null }))],
    fixture.origin,
    timeline.duration,
  );
  const work = path.join(dir, 'work');
  const compositor = new Compositor(
    { recordingDir: path.join(dir, 'capture'), timeline, board, chapters, title: 'Bench class' },
    work,
  );
  await compositor.run([], {
    started: async (s) => void (steps[s] = { from: Date.now() }),
    progress: () => undefined,
    done: async (s) => void (steps[s] = { ...steps[s], ms: Date.now() - (steps[s]?.from ?? Date.now()) }),
  });
  const storage = new LocalDiskStorage(path.join(dir, 'store'), 'http://localhost', 'x'.repeat(40));
  const up = Date.now();
  const f = workFiles(work);
  await storage.putFile('recordings/bench/recording.mp4', f.mp4);
  const walk = async (d, base = '') => {
    const { readdir } = await import('node:fs/promises');
    for (const e of await readdir(path.join(d, base), { withFileTypes: true })) {
      const rel = base ? `${base}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(d, rel);
      else await storage.putFile(`recordings/bench/hls/${rel}`, path.join(d, rel));
    }
  };
  await walk(f.hls);
  steps.upload = { ms: Date.now() - up };
  const total = (Date.now() - start) / 1000;
  const probed = await probeRecording(f.mp4);
  const result = {
    date: new Date().toISOString(),
    classSeconds: seconds,
    boardOps: ops.length,
    chapters: chapters.length,
    layout: compositor.layout,
    steps: Object.fromEntries(Object.entries(steps).map(([k, v]) => [k, Math.round(v.ms) / 1000])),
    endToReadySeconds: total,
    fractionOfClass: Math.round((total / seconds) * 1000) / 1000,
    mp4: probed,
    cores: os.availableParallelism(),
    load1: os.loadavg()[0],
  };
  console.log(JSON.stringify(result, null, 2));
  await mkdir(path.join(root, 'bench/results'), { recursive: true });
  await writeFile(path.join(root, 'bench/results/recording-composite.json'), JSON.stringify(result, null, 2) + '\n');
  void readFile;
} finally {
  await rm(dir, { recursive: true, force: true });
}
