import crypto from 'node:crypto';
import type { MediaCaller } from '../contracts/media-host';
import type { TestApp } from './test-app';
import { startTestDeployment } from './test-deployment';
import { waitFor } from './wait-for';
import type { MediaCluster } from '../media/media-cluster.service';
import { MediaHosts } from '../media/media-hosts.service';
import { fingerprint, opus } from '../media/testing/signalling';
import { requireWorker } from '../media/testing/worker-check';

export interface TwoMediaHosts {
  a: TestApp;
  b: TestApp;
  close(): Promise<void>;
}

/**
 * Two media hosts of one deployment (in-process instances, each its own real mediasoup worker, one
 * Redis and database) with MEDIA_PEERS_PER_HOST=1: a class's first person lands on its host A, the next
 * on B. Resolves once both hosts have published their load (placement reads it). `env` goes to both,
 * `each[0]` to A only and `each[1]` to B only.
 */
export async function startTwoMediaHosts(
  env: Record<string, string> = {},
  each: [Record<string, string>, Record<string, string>] = [{}, {}],
): Promise<TwoMediaHosts> {
  requireWorker();
  const deployment = await startTestDeployment(each, {
    MEDIA_PEERS_PER_HOST: '1',
    PRESENCE_TTL_MS: '1500',
    PRESENCE_BEAT_MS: '250',
    ...env,
  });
  const [a, b] = deployment.apps as [TestApp, TestApp];
  await waitFor(async () => (await a.app.get(MediaHosts).list()).length === 2, 'both media hosts listed');
  return { a, b, close: deployment.close };
}

/** Who calls the media host, as the classroom gateway describes a person (a fresh socket and peer). */
export function mediaCaller(sessionId: string, canTeach: boolean, userId: string = crypto.randomUUID()): MediaCaller {
  return {
    sessionId,
    socketId: crypto.randomBytes(10).toString('base64url'),
    peerId: crypto.randomUUID(),
    userId,
    name: canTeach ? 'Ada Lovelace' : 'Grace Hopper',
    canTeach,
  };
}

/**
 * The usual start of a spread class: the teacher joins (on the class's host), then the student (placed
 * on the other), both ready with the router's codecs. Returns those codecs.
 */
export async function joinTeacherThenStudent(
  via: MediaCluster,
  teacher: MediaCaller,
  student: MediaCaller,
): Promise<never> {
  const joined = await via.call({ op: 'join', caller: teacher, peerId: teacher.peerId! });
  await via.call({ op: 'join', caller: student, peerId: student.peerId! });
  const codecs = (joined.routerRtpCapabilities as { codecs: unknown[] }).codecs as never;
  for (const c of [teacher, student]) await via.call({ op: 'ready', caller: c, rtpCapabilities: { codecs } });
  return codecs;
}

/**
 * `from` sends a microphone (a connected send transport and an Opus producer with this SSRC) and `to`
 * gets a receive transport to consume it on. Returns the microphone's producer id.
 */
export async function sendMicrophone(via: MediaCluster, from: MediaCaller, to: MediaCaller, ssrc: number) {
  const send = await via.call({ op: 'createTransport', caller: from, direction: 'send' });
  await via.call({ op: 'createTransport', caller: to, direction: 'recv' });
  await via.call({
    op: 'connectTransport',
    caller: from,
    transportId: send.id,
    dtlsParameters: { role: 'client', fingerprints: [fingerprint()] },
  });
  return via.call({
    op: 'produce',
    caller: from,
    transportId: send.id,
    kind: 'audio',
    source: 'mic',
    rtpParameters: opus(ssrc),
  });
}
