// Time from class end to recording ready, as a fraction of the class's length, for a synthetic class of
// [seconds] (600: ten minutes): the teacher's camera (off and on once: two runs), a screen share of 35% of
// the class, two microphones and board activity (a stroke every 4 s, a new page every 2 minutes). The
// capture is made once with FFmpeg's test sources in the capture's format (VP8/Opus Matroska segments; a
// 10 s clip looped by stream copy) and kept in .cache/recording-fixture/<seconds>/ (git-ignored). Then
// the job's work is timed: placing the runs, replaying the board, chapters, the compositor's steps (audio
// mix and board side by side, the composite, the renditions) and the upload to local-disk storage. What
// the job adds around it (a Bull job, a few SQL statements) is milliseconds and not included.
//
// With --baseline <folder> the same fixture is also run, right after, through the compositor compiled in
// <folder>/dist (an older checkout: `git archive <commit> | tar -x -C <folder>`, node_modules linked,
// `npx tsc -p backend/tsconfig.build.json`): both figures come from one run, under the same load.
//
//   npm run -s build:backend && node bench/recording-composite.mjs [seconds] [--baseline <folder>]
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const baselineAt = args.indexOf('--baseline');
const baselineRoot = baselineAt >= 0 ? path.resolve(args[baselineAt + 1]) : null;
const seconds = Number(args.find((a, i) => /^\d+$/.test(a) && i !== baselineAt + 1) ?? 600);
const recordingDist = (base) => (p) => require(path.join(base, 'dist/backend/src/recording', p));
const dist = recordingDist(root);
const { makeFixtureClass } = dist('testing/class-fixture.js');
const { placeRuns } = dist('domain/capture-timeline.js');
const { buildBoardTimeline } = dist('domain/board-timeline.js');
const { buildChapters } = dist('domain/chapters.js');
const { LocalDiskStorage } = dist('storage/local-disk-storage.js');

/** The capture fixture, made once per length and kept (dates revived from JSON). */
async function fixtureOf(secs) {
  const dir = path.join(root, '.cache/recording-fixture', String(secs));
  const file = path.join(dir, 'fixture.json');
  if (existsSync(file)) {
    const f = JSON.parse(await readFile(file, 'utf8'));
    const date = (x) => new Date(x);
    return {
      dir,
      made: null,
      fixture: {
        ...f,
        origin: date(f.origin),
        end: date(f.end),
        runs: f.runs.map((r) => ({ ...r, startedAt: date(r.startedAt) })),
        pageChanges: f.pageChanges.map((c) => ({ ...c, at: date(c.at) })),
        marks: f.marks.map((m) => ({ ...m, at: date(m.at) })),
      },
    };
  }
  await rm(dir, { recursive: true, force: true });
  const t0 = Date.now();
  const fixture = await makeFixtureClass(path.join(dir, 'capture'), 'class', secs);
  await writeFile(file, JSON.stringify(fixture));
  return { dir, made: (Date.now() - t0) / 1000, fixture };
}

const { dir: fixtureDir, made, fixture } = await fixtureOf(seconds);
console.log(
  made === null
    ? `capture fixture of ${seconds} s from ${path.relative(root, fixtureDir)}`
    : `capture fixture of ${seconds} s made in ${made.toFixed(1)} s (not timed), kept in ${path.relative(root, fixtureDir)}`,
);
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

async function listFiles(d, base = '') {
  const out = [];
  for (const e of await readdir(path.join(d, base), { withFileTypes: true })) {
    const rel = base ? `${base}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await listFiles(d, rel)));
    else out.push(rel);
  }
  return out;
}

/** One timed run of the job's work through the compositor compiled under `base`. */
async function timeJob(base) {
  const { Compositor, probeRecording, workFiles } = recordingDist(base)('composite/compositor.js');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'lectern-bench-rec-'));
  try {
    const load1 = os.loadavg()[0];
    const start = Date.now();
    const steps = {};
    const timeline = placeRuns(fixture.runs, fixture.origin, fixture.end);
    const board = buildBoardTimeline(ops, pageChanges, fixture.origin, []);
    const chapters = buildChapters(
      [...fixture.marks, ...pageChanges.map((c) => ({ kind: 'page', at: c.at, label: null }))],
      fixture.origin,
      timeline.duration,
    );
    const work = path.join(dir, 'work');
    const compositor = new Compositor(
      { recordingDir: path.join(fixtureDir, 'capture'), timeline, board, chapters, title: 'Bench class' },
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
    for (const rel of await listFiles(f.hls))
      await storage.putFile(`recordings/bench/hls/${rel}`, path.join(f.hls, rel));
    steps.upload = { ms: Date.now() - up };
    const total = (Date.now() - start) / 1000;
    const probed = await probeRecording(f.mp4);
    const { size } = await import('node:fs').then((fs) => fs.promises.stat(f.mp4));
    return {
      layout: compositor.layout,
      steps: Object.fromEntries(Object.entries(steps).map(([k, v]) => [k, Math.round(v.ms) / 1000])),
      endToReadySeconds: total,
      fractionOfClass: Math.round((total / seconds) * 1000) / 1000,
      mp4: { ...probed, megabytes: Math.round(size / 1e5) / 10 },
      load1AtStart: load1,
      load1AtEnd: os.loadavg()[0],
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const resultFile = path.join(root, `bench/results/recording-composite-${seconds}s.json`);
async function save(current, baseline) {
  const result = {
    date: new Date().toISOString(),
    classSeconds: seconds,
    boardOps: ops.length,
    current,
    ...(baseline
      ? {
          baseline: { source: path.basename(baselineRoot), ...baseline },
          speedup: Math.round((baseline.endToReadySeconds / current.endToReadySeconds) * 100) / 100,
        }
      : {}),
    cores: os.availableParallelism(),
    loadavg: os.loadavg(),
  };
  await mkdir(path.dirname(resultFile), { recursive: true });
  await writeFile(resultFile, JSON.stringify(result, null, 2) + '\n');
  return result;
}

const current = await timeJob(root);
console.log('current', JSON.stringify(current));
await save(current, null); // kept even if the baseline's run is stopped
const baseline = baselineRoot ? await timeJob(baselineRoot) : null;
if (baseline) console.log('baseline', JSON.stringify(baseline));
console.log(JSON.stringify(await save(current, baseline), null, 2));
