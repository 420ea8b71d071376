import crypto from 'node:crypto';
import { performance } from 'node:perf_hooks';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaServerEvents, MediaServerMessage } from '../contracts/media';
import type { MediaCaller } from '../contracts/media-host';
import { Metrics } from '../platform/metrics/metrics';
import type { TestApp } from '../testing/test-app';
import { mediaCaller, startTwoMediaHosts, type TwoMediaHosts } from '../testing/two-media-hosts';
import { waitFor } from '../testing/wait-for';
import { REGROUP_REASON } from './class-regroup';
import { MediaCluster } from './media-cluster.service';
import { MediaHosts } from './media-hosts.service';
import { MediaService } from './media.service';
import { LINK_IDLE_MS } from './sfu/host-links';
import { fingerprint, opus } from './testing/signalling';
import { mediaTestsOptedOut } from './testing/worker-check';

/**
 * A spread class gathering back onto one host (two instances, each its own real mediasoup worker, one
 * Redis). With MEDIA_PEERS_PER_HOST=5 a class of ten fills host A, then B; both pull each other's
 * producers over pipe transports. People leave: while the class is too big for one host, and while it
 * is in the band between regrouping (MEDIA_REGROUP_AT 0.75: 3 people) and spreading (5), nobody is
 * moved; meanwhile a link that no longer carries a producer closes by itself. At 3 people, once it has fit
 * for MEDIA_REGROUP_SETTLE_MS with no join for MEDIA_REGROUP_QUIET_MS, B's two people are told to
 * rejoin, their rejoin lands on A, B's part of the class closes (its router freed) and every pipe
 * transport is gone on both sides. What it costs them is timed: from the rejoin notice to consuming again
 * (signalling only: a browser adds its ICE and DTLS handshakes to it).
 */
describe.skipIf(mediaTestsOptedOut())('media: a spread class regroups onto one host (real workers)', () => {
  let hosts: TwoMediaHosts;
  let a: TestApp;
  let b: TestApp;
  let redis: Redis;
  let mediaA: MediaService;
  let mediaB: MediaService;
  const told: Array<{ socketId: string; message: MediaServerMessage; at: number }> = [];
  const SETTLE_MS = 1000;
  const QUIET_MS = 500;

  beforeAll(async () => {
    hosts = await startTwoMediaHosts({
      MEDIA_PEERS_PER_HOST: '5',
      MEDIA_REGROUP_AT: '0.75',
      MEDIA_REGROUP_SETTLE_MS: String(SETTLE_MS),
      MEDIA_REGROUP_QUIET_MS: String(QUIET_MS),
    });
    ({ a, b } = hosts);
    redis = new Redis(a.config.redisUrl);
    mediaA = a.app.get(MediaService);
    mediaB = b.app.get(MediaService);
    for (const media of [mediaA, mediaB])
      media.on('toSocket', (socketId, message) => told.push({ socketId, message, at: performance.now() }));
  });
  afterAll(async () => {
    redis?.disconnect();
    await hosts?.close();
  });
  const rejoinsTold = () => told.filter((t) => t.message.event === MediaServerEvents.rejoin);
  /** Several of this host's beats, each running the regroup decision: long past settle and quiet. */
  const severalBeats = () => new Promise((r) => setTimeout(r, SETTLE_MS + QUIET_MS + 1500));

  it('moves nobody while the class is too big or in the band, then gathers it onto A and closes every pipe', async () => {
    const sessionId = crypto.randomUUID();
    const viaA = a.app.get(MediaCluster);
    const viaB = b.app.get(MediaCluster);
    const hostA = viaA.instanceId;
    const hostB = viaB.instanceId;
    const teacher = mediaCaller(sessionId, true);
    const students = Array.from({ length: 9 }, () => mediaCaller(sessionId, false));
    let caps: never = undefined as never;

    /** A browser's media start: join, ready, a receive transport (and a send one for a producer). */
    const start = async (c: MediaCaller, via: MediaCluster, send = false) => {
      const joined = await via.call({ op: 'join', caller: c, peerId: c.peerId! });
      caps ??= (joined.routerRtpCapabilities as { codecs: unknown[] }).codecs as never;
      await via.call({ op: 'ready', caller: c, rtpCapabilities: { codecs: caps } });
      const directions: Array<'send' | 'recv'> = send ? ['recv', 'send'] : ['recv'];
      const ids: string[] = [];
      for (const direction of directions) {
        const t = await via.call({ op: 'createTransport', caller: c, direction });
        await via.call({
          op: 'connectTransport',
          caller: c,
          transportId: t.id,
          dtlsParameters: { role: 'client', fingerprints: [fingerprint()] },
        });
        ids.push(t.id);
      }
      return ids[1];
    };
    const mic = async (c: MediaCaller, transportId: string, ssrc: number) =>
      (
        await viaA.call({
          op: 'produce',
          caller: c,
          transportId,
          kind: 'audio',
          source: 'mic',
          rtpParameters: opus(ssrc),
        })
      ).producerId;

    // The teacher and four students fill A (5 peers), the next five go to B.
    const teacherSend = await start(teacher, viaA, true);
    const teacherMic = await mic(teacher, teacherSend!, 9101);
    for (const s of students.slice(0, 4)) await start(s, viaA);
    const s5Send = await start(students[4]!, viaA, true);
    for (const s of students.slice(5)) await start(s, viaB);
    const peersByHost = async () => Object.values(await redis.hgetall(`media:peers:${sessionId}`));
    const count = (hosts: string[], host: string) => hosts.filter((h) => h === host).length;
    expect(count(await peersByHost(), hostA)).toBe(5);
    expect(count(await peersByHost(), hostB)).toBe(5);

    // Everyone on B hears the teacher (pulled over a link A→B); the teacher hears s5 on B (a link B→A).
    for (const s of students.slice(4)) await viaB.call({ op: 'consume', caller: s, producerId: teacherMic });
    const s5Mic = await mic(students[4]!, s5Send!, 9105);
    await viaA.call({ op: 'consume', caller: teacher, producerId: s5Mic });
    const roomA = mediaA.room(sessionId)!;
    const roomB = mediaB.room(sessionId)!;
    expect(roomA.links!.counts()).toEqual({ links: 2, pulled: 1, sent: 1 });
    expect(roomB.links!.counts()).toEqual({ links: 2, pulled: 1, sent: 1 });

    const leave = (c: MediaCaller) => viaA.call({ op: 'leave', caller: c });

    // Too big: 6 people (A 3, B 3) would be over MEDIA_PEERS_PER_HOST on one host. s5 (the only producer
    // on B) is among those who leave: A's link from B carries nothing any more and closes by itself.
    for (const s of [students[0]!, students[1]!, students[4]!, students[5]!]) await leave(s);
    await waitFor(
      () => roomA.links!.counts().pulled === 0 && roomA.links!.counts().links === 1,
      "A's idle link from B closed",
      LINK_IDLE_MS + 5000,
    );
    await waitFor(() => roomB.links!.counts().links === 1, "B's end of it closed too");
    // B still pulls the teacher over its own link: that one carries a producer and stays.
    expect(roomB.links!.counts()).toEqual({ links: 1, pulled: 1, sent: 0 });
    await severalBeats();
    expect(rejoinsTold()).toEqual([]);
    expect(roomB.peers.size).toBe(3);

    // In the band: 4 people (A 1, B 3) fit under 5 but not under 0.75 × 5 = 3. Still nobody moves.
    for (const s of [students[2]!, students[3]!]) await leave(s);
    await severalBeats();
    expect(rejoinsTold()).toEqual([]);
    expect(roomB.peers.size).toBe(3);

    // 3 people (A 1, B 2): the two on B are told to rejoin, after the class has settled and been quiet.
    // Their "browsers" rejoin the moment they are told (through B, the instance their sockets are on):
    // leave, join, ready, a receive transport, and the teacher's microphone consumed again.
    const moved = [students[7]!, students[8]!];
    const reconnects = new Map<string, Promise<number>>();
    mediaB.on('toSocket', (socketId, message) => {
      const m = moved.find((x) => x.socketId === socketId);
      if (!m || message.event !== MediaServerEvents.rejoin || reconnects.has(socketId)) return;
      const at = performance.now();
      reconnects.set(
        socketId,
        (async () => {
          await viaB.call({ op: 'leave', caller: m });
          await start(m, viaB);
          await viaB.call({ op: 'consume', caller: m, producerId: teacherMic });
          return performance.now() - at;
        })(),
      );
    });
    const left = performance.now();
    await leave(students[6]!);
    const notices = await waitFor(() => {
      const r = rejoinsTold();
      return r.length === 2 ? r : null;
    }, 'the two people on B told to rejoin');
    expect(notices.map((n) => n.socketId).sort()).toEqual(moved.map((m) => m.socketId).sort());
    expect(notices.every((n) => (n.message.payload as { reason: string }).reason === REGROUP_REASON)).toBe(true);
    // Not before the class had fit for the settle time (its last change was s7 leaving).
    expect(Math.min(...notices.map((n) => n.at)) - left).toBeGreaterThanOrEqual(SETTLE_MS);
    const reconnectMs = await Promise.all(moved.map((m) => reconnects.get(m.socketId)!));
    for (const m of moved) expect(mediaA.room(sessionId)!.peers.has(m.peerId!)).toBe(true);
    expect(await redis.hgetall(`media:peers:${sessionId}`)).toEqual({
      [teacher.peerId!]: hostA,
      [moved[0]!.peerId!]: hostA,
      [moved[1]!.peerId!]: hostA,
    });

    // B's part closed: its router is freed, and no pipe transport is left on either side.
    await waitFor(() => !mediaB.room(sessionId), "the class's media closed on B");
    expect((await mediaB.workers.dump(0)).routerIds).toEqual([]);
    expect(roomA.links!.counts()).toEqual({ links: 0, pulled: 0, sent: 0 });
    const routerA = roomA.router(roomA.workerIndexes()[0]!);
    const webRtc = [...roomA.peers.values()].reduce((n, p) => n + p.transports.size, 0);
    expect((await routerA.dump()).transportIds.length).toBe(webRtc);

    // An operator sees it: B counted the two people it moved.
    const movedMetric = await b.app.get(Metrics).registry.getSingleMetric('lectern_media_peers_moved_total')!.get();
    expect(movedMetric.values[0]!.value).toBe(2);

    // And it stays so: no one is moved again.
    await severalBeats();
    expect(rejoinsTold()).toHaveLength(2);
    expect(count(await peersByHost(), hostA)).toBe(3);
    console.log(
      `regroup: moved 2 people from B to A; rejoin notice to consuming again (signalling, loopback): ${reconnectMs
        .map((ms) => `${ms.toFixed(0)} ms`)
        .join(', ')}`,
    );
    await viaA.call({ op: 'closeRoom', sessionId });
  });

  it("when the class's first host empties, its next join goes where most of it is, not to a new host", async () => {
    await waitFor(
      async () => (await a.app.get(MediaHosts).list()).every((h) => h.peers === 0),
      'both hosts report no peers',
    );
    const sessionId = crypto.randomUUID();
    const viaA = a.app.get(MediaCluster);
    const hostB = b.app.get(MediaCluster).instanceId;
    const people = Array.from({ length: 7 }, (_, i) => mediaCaller(sessionId, i === 0));
    for (const p of people) await viaA.call({ op: 'join', caller: p, peerId: p.peerId! });
    // 5 on A (the owner), 2 on B; then everyone on A leaves: A's part closes and frees the owner key.
    for (const p of people.slice(0, 5)) await viaA.call({ op: 'leave', caller: p });
    await waitFor(() => !mediaA.room(sessionId), "the class's media closed on A");
    // B holds all of the class now: it takes the owner key at its next beat (A, emptier, would win placement).
    await waitFor(async () => (await redis.get(`media:owner:${sessionId}`)) === hostB, 'B owns the class');
    const late = mediaCaller(sessionId, false);
    await viaA.call({ op: 'join', caller: late, peerId: late.peerId! });
    expect(await redis.hget(`media:peers:${sessionId}`, late.peerId!)).toBe(hostB);
    expect(mediaA.room(sessionId)).toBeUndefined();
    await viaA.call({ op: 'closeRoom', sessionId });
  });
});
