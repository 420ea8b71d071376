import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import type { Browser, Frame } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mediaTestsOptedOut, requireWorker } from '../backend/src/media/testing/worker-check';
import { createTestDatabase } from '../backend/src/testing/test-app';
import { waitFor } from '../backend/src/testing/wait-for';
// @ts-expect-error plain ESM modules shared with the start scripts
import { findHaproxy } from '../scripts/lb-haproxy.mjs';
import { frameAt, launchChromium } from './browser';
import { drawStroke, everythingShown, presenceGaps, type RoomPage, say, shown, spansOf } from './class-record';
import { NetnsLab } from './netns';
import { type NetnsCluster, startNetnsCluster } from './netns-cluster';

const ADMIN_TOKEN = crypto.randomBytes(24).toString('hex');

const why = mediaTestsOptedOut()
  ? 'media tests are opted out'
  : (NetnsLab.unavailable() ?? (findHaproxy() ? null : 'haproxy is not installed (Debian: apt-get install haproxy)'));
if (why)
  console.warn(
    `\n[media-netns e2e] SKIPPED, NOT RUN: ${why}. The class spread over app instances and media hosts in separate network namespaces is unproven on this run.\n`,
  );

const remote = '[data-testid=video-tile][data-self=false]';
/** What the page received from the person on its first remote tile (the media client's getStats readout). */
const received = (f: Frame, what: 'cameraFrames' | 'audioPackets') =>
  f
    .evaluate(
      ([selector, key]) => {
        const peer = document.querySelector(selector)?.getAttribute('data-peer');
        const readout = (globalThis as unknown as { lecternMedia?: { received(): Array<Record<string, unknown>> } })
          .lecternMedia;
        return Number(readout?.received().find((c) => c['peerId'] === peer)?.[key] ?? 0);
      },
      [remote, what] as const,
    )
    .catch(() => 0);

/** Media flowing now: the count grows between two readings (a stale readout of a closed consumer does not). */
async function flowing(f: Frame, what: 'cameraFrames' | 'audioPackets', label: string, timeoutMs = 90_000) {
  let last = await received(f, what);
  await waitFor(
    async () => {
      await new Promise((r) => setTimeout(r, 400));
      const now = await received(f, what);
      const grew = now > last && now > 0;
      last = now;
      return grew;
    },
    label,
    timeoutMs,
  ).catch(async (e: Error) => {
    const readout = await f
      .evaluate(() =>
        JSON.stringify(
          (globalThis as unknown as { lecternMedia?: { received(): unknown } }).lecternMedia?.received() ?? null,
        ),
      )
      .catch(() => '(no readout)');
    throw new Error(`${e.message}; the page received: ${readout}`);
  });
}

/**
 * A class over several (virtual) machines, each a network namespace with its own address on a bridge:
 * HAProxy (the deploy recipe's configuration) terminating TLS for lectern.test and lms.test, two app
 * instances behind it (MEDIA_ROLE=off: pages and sockets), three media hosts (MEDIA_ROLE=only); Postgres
 * and Redis in the root namespace, reached through forwarders on the bridge. Two Chromium pages reach
 * the tool by name through HAProxy (a test CA's certificate, so Secure / SameSite=None cookies work as
 * in production) and their media hosts by address. MEDIA_PEERS_PER_HOST=1 puts the teacher and the
 * student on different media hosts: their media crosses between namespaces through pipe transports.
 * The student's media host is drained and the teacher's is cut off (link down) while both people chat,
 * the student raises a hand and the teacher draws: afterwards both pages show all of it once, media
 * flows again from other hosts, and both people's attendance has no gap.
 */
describe.skipIf(!!why)(
  'a class across network namespaces: app instances behind HAProxy, media hosts drained and cut off',
  () => {
    let lab: NetnsLab;
    let cluster: NetnsCluster;
    let browser: Browser;
    let redis: Redis;
    let databaseUrl = '';
    const logs: string[] = [];
    const figures: Record<string, number> = {};
    let passed = false;

    beforeAll(async () => {
      requireWorker();
      const { redisUrl } = inject('services');
      databaseUrl = await createTestDatabase();
      redis = new Redis(redisUrl);
      lab = new NetnsLab();
      const watch = (name: string, p: ReturnType<NetnsLab['spawnIn']>) => {
        p.stdout!.on('data', (d) => logs.push(`[${name}] ${d}`));
        p.stderr!.on('data', (d) => logs.push(`[${name}] ${d}`));
        p.on('exit', (code, signal) => logs.push(`[${name}] exited (${code ?? signal})\n`));
      };
      cluster = await startNetnsCluster({
        lab,
        redisUrl,
        databaseUrl,
        apps: 2,
        mediaHosts: 3,
        watch,
        env: {
          PATH: process.env.PATH,
          NODE_ENV: 'test',
          DEV_PLATFORM: 'true',
          LTI_KEY: crypto.randomBytes(24).toString('hex'),
          SESSION_SECRET: crypto.randomBytes(24).toString('hex'),
          QUEUE_PREFIX: `netns-${lab.id}`,
          ADMIN_TOKEN,
          // A host silent for 5 s is gone (short, for a bounded test; long enough that a host starved by a
          // loaded machine, which all of these processes share, is not taken for dead).
          PRESENCE_TTL_MS: '5000',
          PRESENCE_BEAT_MS: '500',
          MEDIA_WORKERS: '1',
          MEDIA_PORT: '0',
          MEDIA_PEER_GRACE_MS: '1500',
          MEDIA_PEERS_PER_HOST: '1',
          RECORDING_CAPTURE: 'false',
          ...(process.env.MEDIASOUP_WORKER_BIN ? { MEDIASOUP_WORKER_BIN: process.env.MEDIASOUP_WORKER_BIN } : {}),
        },
      }).catch((e: Error) => {
        throw new Error(`${e.message}\n${logs.slice(-60).join('')}`);
      });
      browser = await launchChromium({ fakeMedia: true, args: cluster.browserArgs });
    }, 400_000);

    afterAll(async () => {
      if (!passed && lab) {
        const file = path.join(os.tmpdir(), `media-netns-${lab.id}.log`);
        fs.writeFileSync(file, logs.join(''));
        console.log(
          `[media-netns e2e] last lines of the instances (all of them in ${file}):\n${logs.slice(-60).join('')}`,
        );
      }
      await browser?.close();
      redis?.disconnect();
      await lab?.close();
      // Nothing of this run is left on the machine.
      if (lab) {
        expect(lab.ip('netns', 'list')).not.toContain(`lx-${lab.id}`);
        expect(fs.existsSync(`/etc/netns/lx-${lab.id}-1`)).toBe(false);
      }
      if (passed) {
        const result = {
          date: new Date().toISOString(),
          source: 'e2e/media-netns.e2e.spec.ts, one passing run',
          machine: `${os.cpus().length} cores, ${os.cpus()[0]?.model ?? '?'}, shared`,
          loadAverage: os.loadavg().map((l) => Number(l.toFixed(2))),
          setup:
            'HAProxy (deploy/haproxy/haproxy.cfg, TLS by a test CA), 2 app instances (MEDIA_ROLE=off) and 3 media hosts (MEDIA_ROLE=only, 1 worker each), each in its own network namespace on a bridge; Postgres and Redis in the root namespace; 2 Chromium pages reaching https://lectern.test through HAProxy; PRESENCE_TTL_MS 5000, PRESENCE_BEAT_MS 500, MEDIA_PEERS_PER_HOST 1',
          ...figures,
          note: 'flowing = the receiver decoded camera frames grow between two readings 0.4 s apart, both directions checked one after the other; meanwhile chat from both pages, a raised hand and strokes were sent and all arrived once',
        };
        console.log(`[media-netns e2e] ${JSON.stringify(result)}`);
        if (process.env.NETNS_WRITE_RESULTS)
          fs.writeFileSync('bench/results/media-netns.json', `${JSON.stringify(result, null, 2)}\n`);
      }
    });

    async function enter(who: 'instructor' | 'student'): Promise<RoomPage> {
      const page = await (await browser.newContext()).newPage();
      // Eight processes and two browsers share two cores with other people's tests: a click may wait long.
      page.setDefaultTimeout(90_000);
      page.on('pageerror', (e) => console.log(`[${who} pageerror] ${e.message}`));
      await page.goto(`${cluster.platformUrl}/?course=phys-101`);
      await page.click(`#launch-${who}`);
      const lobby = await frameAt(page, '/lobby');
      // The tool runs framed in the LMS's page, over TLS, on its own name (its cookies are third-party here).
      expect(new URL(lobby.url()).origin).toBe(cluster.toolUrl);
      expect(await lobby.evaluate(() => window.isSecureContext)).toBe(true);
      await lobby
        .locator(
          who === 'instructor' ? '[data-testid=start-class], [data-testid=enter-class]' : '[data-testid=enter-class]',
        )
        .first()
        .click();
      const room = await frameAt(page, '/room/');
      await room.getByTestId('media-state').waitFor({ state: 'attached', timeout: 60_000 });
      await connected(room, who);
      await room.getByTestId('toggle-mic').click();
      await room.getByTestId('toggle-camera').click();
      // A narrow frame shows the chat behind a tab; a wide one beside the board.
      if (await room.getByTestId('tab-chat').count()) await room.getByTestId('tab-chat').click();
      await room.getByTestId('chat-input').waitFor();
      return { who, page, room };
    }

    const connected = (room: Frame, who: string, timeoutMs = 90_000) =>
      waitFor(
        async () => (await room.getByTestId('media-state').getAttribute('data-media-state')) === 'connected',
        `${who}'s media connected`,
        timeoutMs,
      ).catch(async (e: Error) => {
        throw new Error(
          `${e.message}; the page says: ${await room
            .getByTestId('media-error')
            .textContent()
            .catch(() => '(nothing)')}\n${logs.slice(-30).join('')}`,
        );
      });

    /** The class's peers and the hosts they are on (its list in Redis), found among this run's hosts. */
    async function peersOfClass(): Promise<{ sessionId: string; peers: Record<string, string> } | null> {
      const ours = new Set(cluster.mediaHosts.map((h) => h.id));
      for (const key of await redis.keys('media:peers:*')) {
        const peers = await redis.hgetall(key);
        if (Object.values(peers).some((h) => ours.has(h)))
          return { sessionId: key.slice('media:peers:'.length), peers };
      }
      return null;
    }
    const hostOf = (id: string) => cluster.mediaHosts.findIndex((h) => h.id === id);

    it('puts two people on media hosts in different namespaces behind HAProxy, drains one host and cuts another off, losing nothing', async () => {
      const t0 = Date.now();
      const step = (what: string) => console.log(`[media-netns e2e] ${((Date.now() - t0) / 1000).toFixed(1)}s ${what}`);
      const teacher = await enter('instructor');
      step('teacher in');
      const student = await enter('student');
      step('student in');
      const both = [teacher, student];

      // Two peers, on two different media hosts (MEDIA_PEERS_PER_HOST=1), each in its own namespace.
      const placed = await waitFor(async () => {
        const c = await peersOfClass();
        return c && Object.keys(c.peers).length === 2 ? c : null;
      }, "the class's two peers listed");
      const [first, second] = Object.values(placed.peers).map(hostOf);
      expect(first).toBeGreaterThanOrEqual(0);
      expect(second).toBeGreaterThanOrEqual(0);
      expect(first).not.toBe(second);
      const sessionId = placed.sessionId;

      // Media crosses between the two namespaces (host to host through pipe transports), both ways.
      await flowing(student.room, 'cameraFrames', "the teacher's video decoded by the student (across hosts)");
      await flowing(teacher.room, 'cameraFrames', "the student's video decoded by the teacher (across hosts)");
      await flowing(student.room, 'audioPackets', "the teacher's audio reaching the student");
      step('media flows between two hosts');
      const messages: string[] = [];
      const chat = async (p: RoomPage, text: string) => {
        messages.push(text);
        await say(p, text);
      };

      // Drain the student's host; while the student moves to the third host, both chat, the student
      // raises a hand and the teacher draws.
      const entries = Object.entries((await peersOfClass())!.peers);
      const studentHostId = entries.find(([, h]) => h === cluster.mediaHosts[second]!.id)![1];
      const teacherHostId = entries.find(([, h]) => h === cluster.mediaHosts[first]!.id)![1];
      const drainAt = Date.now();
      await cluster.admin('POST', `/${studentHostId}/drain`);
      await chat(student, 'drain: from the student');
      await chat(teacher, 'drain: from the teacher');
      // Dispatched to the button itself: in this page's frame the stage overlaps the control bar and takes the
      // pointer (a layout defect of its own, noted for the room's UX work).
      await student.room.getByTestId('raise-hand').dispatchEvent('click');
      await drawStroke(teacher, 0);
      await waitFor(
        async () => {
          const c = await peersOfClass();
          const on = Object.values(c?.peers ?? {});
          return on.length === 2 && !on.includes(studentHostId);
        },
        'the student placed off the drained host',
        60_000,
      );
      await chat(student, 'drain: the student again, on the new host');
      await connected(student.room, 'student (after the drain)');
      await flowing(student.room, 'cameraFrames', "the teacher's video at the student after the drain");
      await flowing(teacher.room, 'cameraFrames', "the student's video at the teacher after the drain");
      figures.drainToMediaFlowingAgainSeconds = Number(((Date.now() - drainAt) / 1000).toFixed(1));
      step(`drained host left; media flows again after ${figures.drainToMediaFlowingAgainSeconds} s`);
      await everythingShown(
        both,
        messages,
        1,
        'the chat and the stroke sent during the drain on both pages, once each',
      );
      await waitFor(
        async () => (await shown(teacher)).hands.length === 1,
        "the student's hand raised during the drain, at the teacher",
      );
      expect(await student.room.getByTestId('raise-hand').getAttribute('aria-pressed')).toBe('true');
      // Usually the third host (MEDIA_PEERS_PER_HOST=1); on a starved machine a host whose load report is late
      // is passed over and both may share the teacher's host. Recorded, not required.
      figures.hostsAfterDrain = new Set(Object.values((await peersOfClass())!.peers)).size;
      await waitFor(
        async () =>
          (await cluster.admin<{ hosts: Array<{ instanceId: string; rooms: number }> }>('GET', '')).hosts.find(
            (h) => h.instanceId === studentHostId,
          )?.rooms === 0,
        'the drained host hosts no class',
      );
      const listed = await cluster.admin<{ hosts: Array<{ instanceId: string; state: string }> }>('GET', '');
      expect(listed.hosts.find((h) => h.instanceId === studentHostId)?.state).toBe('draining');
      await cluster.admin('POST', `/${studentHostId}/activate`);

      // Cut the teacher's media host off the network; meanwhile both chat and the teacher draws again. The
      // sockets are on app instances in other namespaces: only the teacher's media has to move.
      const cutAt = Date.now();
      lab.cutOff(cluster.mediaHosts[first]!.ns);
      step('teacher media host cut off');
      await chat(teacher, 'cut: from the teacher');
      await chat(student, 'cut: from the student');
      await drawStroke(teacher, 1);
      await waitFor(
        async () => {
          const c = await peersOfClass();
          const on = Object.values(c?.peers ?? {});
          return on.length === 2 && !on.includes(teacherHostId);
        },
        'the teacher placed off the host that was cut off',
        90_000,
      );
      await connected(teacher.room, 'teacher (after the cut)');
      await flowing(student.room, 'cameraFrames', "the teacher's video at the student after the cut");
      await flowing(teacher.room, 'cameraFrames', "the student's video at the teacher after the cut");
      figures.hostCutOffToMediaFlowingAgainSeconds = Number(((Date.now() - cutAt) / 1000).toFixed(1));
      step(`media flows again ${figures.hostCutOffToMediaFlowingAgainSeconds} s after the cut`);
      await everythingShown(both, messages, 2, 'everything sent during the drain and the cut on both pages, once each');
      for (const p of both) {
        const v = await shown(p);
        // Nothing waits to be sent, and no page says something failed.
        expect(v.pendingChat, `${p.who}: messages still waiting`).toEqual([]);
        expect(v.notice, `${p.who}: the page's notice`).toBeNull();
        expect(await p.room.locator('[data-testid=video-tile]').count()).toBeGreaterThanOrEqual(2);
      }
      expect((await shown(teacher)).hands).toHaveLength(1);
      // The class forgot what was on the silent host (its producers are listed nowhere).
      await waitFor(
        async () => {
          const producers = Object.values(await redis.hgetall(`media:producers:${sessionId}`)).map(
            (raw) => (JSON.parse(raw) as { host: string }).host,
          );
          return producers.length > 0 && !producers.includes(teacherHostId);
        },
        'no producer of the silent host listed (dropped once it has been silent for three TTLs)',
        45_000,
      );
      // Attendance: both people present without a break (neither the drain nor the cut made a fake leave).
      const presence = presenceGaps(await spansOf(databaseUrl, sessionId));
      step(`attendance: ${JSON.stringify(presence)}`);
      expect(presence).toHaveLength(2);
      for (const p of presence) {
        expect(p.gaps).toEqual([]);
        expect(p.openNow).toBe(true);
      }
      passed = true;
    }, 600_000);
  },
);
