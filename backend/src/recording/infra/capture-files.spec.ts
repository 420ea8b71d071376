import { mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaptureFilesMissing, captureFilesMissingMessage } from '../domain/capture-files';
import { parseSegmentList } from '../domain/segment-list';
import { missingCaptureFiles, type CaptureRunFiles } from './capture-files';

/**
 * Two hosts' RECORDING_DIRs as two folders on this disk (what separate media hosts without shared
 * storage amount to): a run captured on host A is listed in Postgres for every host, its files only in A's.
 */
describe('capture files against a host RECORDING_DIR', () => {
  let root: string;
  let hostA: string;
  let hostB: string;
  const run = (id: string, segments = 'seg-00000.mkv,0.0,2.0\nseg-00001.mkv,2.0,4.0\n'): CaptureRunFiles => ({
    id,
    instance: 'media-a:4242',
    playlist: `class-1/${id}/list.csv`,
    segments: parseSegmentList(segments),
  });
  const writeRun = async (dir: string, id: string, files = ['capture.sdp', 'seg-00000.mkv', 'seg-00001.mkv']) => {
    await mkdir(path.join(dir, 'class-1', id), { recursive: true });
    for (const f of files) await writeFile(path.join(dir, 'class-1', id, f), 'x');
  };

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'lectern-capture-files-'));
    hostA = path.join(root, 'host-a');
    hostB = path.join(root, 'host-b');
    await mkdir(hostB, { recursive: true });
    await writeRun(hostA, 'run-1');
    await writeRun(hostA, 'run-2');
    await writeRun(hostA, 'run-empty', ['capture.sdp']); // closed before its first segment: no list
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('on the host that captured them (or a shared RECORDING_DIR) nothing is missing, a run without segments included', async () => {
    expect(await missingCaptureFiles(hostA, [run('run-1'), run('run-2'), run('run-empty', '')])).toEqual([]);
  });

  it('on another host with its own RECORDING_DIR every run folder is missing, named with the instance that captured it', async () => {
    const missing = await missingCaptureFiles(hostB, [run('run-1'), run('run-2')]);
    expect(missing).toEqual([
      { runId: 'run-1', instance: 'media-a:4242', path: 'class-1/run-1', what: 'run folder' },
      { runId: 'run-2', instance: 'media-a:4242', path: 'class-1/run-2', what: 'run folder' },
    ]);
    const message = captureFilesMissingMessage(hostB, 'job-host', missing, 3);
    expect(message).toBe(
      `capture files missing from RECORDING_DIR (${hostB}) on host job-host: 2 of 3 capture runs, 2 files: ` +
        'run folder class-1/run-1 (captured by media-a:4242); run folder class-1/run-2 (captured by media-a:4242). ' +
        'RECORDING_DIR must be one storage shared by every instance that hosts media and every instance that ' +
        'runs recording jobs (see README, Configuration)',
    );
    expect(new CaptureFilesMissing(missing, message)).toMatchObject({ name: 'CaptureFilesMissing', missing });
  });

  it('a listed segment lost from the run folder is named', async () => {
    await unlink(path.join(hostA, 'class-1', 'run-2', 'seg-00001.mkv'));
    expect(await missingCaptureFiles(hostA, [run('run-1'), run('run-2')])).toEqual([
      { runId: 'run-2', instance: 'media-a:4242', path: 'class-1/run-2/seg-00001.mkv', what: 'segment' },
    ]);
  });
});
