import type { ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll } from 'vitest';
import { LocalDiskStorage } from './local-disk-storage';
import { recordingStorageContract } from './recording-storage.contract';
import { S3Storage } from './s3-storage';
import { startS3rver } from '../testing/s3rver';

const secret = 's'.repeat(40);

let localRoot: string;
let local: LocalDiskStorage;
beforeAll(async () => {
  localRoot = await mkdtemp(path.join(tmpdir(), 'lectern-local-store-'));
  local = new LocalDiskStorage(localRoot, 'http://127.0.0.1:1', secret);
});
afterAll(() => rm(localRoot, { recursive: true, force: true }));

// The backend's file route does this (recording-files.controller.ts): verify, then send the file.
recordingStorageContract('local disk', () => ({
  storage: local,
  fetch: async (url) => {
    const u = new URL(url);
    const key = decodeURIComponent(u.pathname.replace(/^\/api\/recording-files\//, ''));
    const verdict = local.verify(key, {
      exp: u.searchParams.get('exp') ?? undefined,
      sig: u.searchParams.get('sig') ?? undefined,
    });
    if (verdict !== 'ok') return { status: 403, body: verdict };
    try {
      return { status: 200, body: await readFile(local.pathOf(key), 'utf8') };
    } catch {
      return { status: 404, body: '' };
    }
  },
}));

let s3: S3Storage;
let server: { process: ChildProcess; endpoint: string; stop(): Promise<void> };
beforeAll(async () => {
  server = await startS3rver();
  const client = new S3Client({
    region: 'us-east-1',
    endpoint: server.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  await client.send(new CreateBucketCommand({ Bucket: 'lectern-test' }));
  client.destroy();
  s3 = new S3Storage({
    endpoint: server.endpoint,
    region: 'us-east-1',
    bucket: 'lectern-test',
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    forcePathStyle: true,
  });
}, 30_000);
afterAll(async () => {
  s3?.close();
  await server?.stop();
});

recordingStorageContract('S3 (a real s3rver process on loopback)', () => ({
  storage: s3,
  fetch: async (url) => {
    const res = await fetch(url);
    return { status: res.status, body: await res.text() };
  },
}));
