import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mediaTestsOptedOut, requireWorker } from '../backend/src/media/testing/worker-check';
// @ts-expect-error plain ESM module shared with the bench
import * as figures from './lib/per-host-figures.mjs';

interface HostReading {
  consumers: number;
  workerCpu: number;
}
interface Step {
  participants: number;
  hosts: Record<'A' | 'B', HostReading>;
  packetsReceivedPerSecond: number;
  packetsSentPerSecond: number;
  failures: number;
}
interface Lecture {
  steps: Step[];
  perHost: Record<string, { workerCpuPerConsumer: number; participantsAtThreshold: number }>;
}

describe('per-host figures (the bench arithmetic)', () => {
  it('fits CPU per consumer and turns it into participants at the threshold', () => {
    const fit = figures.fitCpuPerConsumer([
      { consumers: 0, cpu: 0.01 },
      { consumers: 100, cpu: 0.21 },
      { consumers: 200, cpu: 0.41 },
    ]);
    expect(fit.perConsumer).toBeCloseTo(0.002, 6);
    expect(fit.intercept).toBeCloseTo(0.01, 6);
    expect(figures.consumersAt(fit, 0.8)).toBeCloseTo(395, 6);
    // a lecture: two consumers a student, plus the teacher
    expect(figures.lectureParticipants(395)).toBe(198);
    // a discussion of n costs 2n(n-1) consumers: 12 people are 264, 13 are 312
    expect(figures.discussionParticipants(264)).toBe(12);
    expect(figures.discussionParticipants(311)).toBe(12);
    expect(figures.discussionParticipants(312)).toBe(13);
    // CPU that does not grow with consumers gives no figure rather than an absurd one
    expect(
      figures.consumersAt(
        figures.fitCpuPerConsumer([
          { consumers: 0, cpu: 0.3 },
          { consumers: 50, cpu: 0.2 },
        ]),
        0.8,
      ),
    ).toBe(null);
    expect(figures.fitCpuPerConsumer([{ consumers: 10, cpu: 0.1 }])).toBe(null);
  });
});

/**
 * The bench itself in a tiny configuration: two real instances, a teacher sending VP8 + Opus over real
 * ICE/DTLS/SRTP, students added in two steps of 20. Needs the built server (npm test builds it).
 */
describe.skipIf(mediaTestsOptedOut())('bench/media-per-host.mjs (a tiny lecture)', () => {
  it('measures worker CPU growing with the students who really receive the teacher', { timeout: 300_000 }, async () => {
    requireWorker();
    const main = path.resolve('dist/backend/src/main.js');
    if (!fs.existsSync(main)) throw new Error(`${main} is missing: run npm run build:backend first`);
    const out = path.join(os.tmpdir(), `perhost-${crypto.randomBytes(4).toString('hex')}.json`);
    const args = ['--scenarios', 'lecture', '--lecture-step', '20', '--lecture-max', '41', '--seconds', '3'];
    const code = await new Promise<number | null>((resolve) => {
      const p = spawn(process.execPath, ['bench/media-per-host.mjs', ...args, '--out', out], {
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      p.on('exit', resolve);
    });
    expect(code).toBe(0);
    const result = JSON.parse(fs.readFileSync(out, 'utf8')) as { lecture: Lecture };
    fs.rmSync(out, { force: true });
    const steps = result.lecture.steps;
    expect(steps.map((s) => s.participants)).toEqual([1, 21, 41]);
    // The class is on one host; every student consumes the teacher's camera and voice there.
    const host = steps[2].hosts.A.consumers > 0 ? 'A' : 'B';
    expect(steps.map((s) => s.hosts[host].consumers)).toEqual([0, 40, 80]);
    // The consumers really send: about 50 video + 50 audio packets a second each reach the students.
    expect(steps.map((s) => s.failures)).toEqual([0, 0, 0]);
    expect(steps[1].packetsSentPerSecond).toBeGreaterThan(50);
    expect(steps[0].packetsReceivedPerSecond).toBe(0);
    expect(steps[1].packetsReceivedPerSecond).toBeGreaterThan(40 * 20);
    expect(steps[2].packetsReceivedPerSecond).toBeGreaterThan(steps[1].packetsReceivedPerSecond);
    // CPU grows with them.
    expect(steps[2].hosts[host].workerCpu).toBeGreaterThan(steps[0].hosts[host].workerCpu);
    expect(result.lecture.perHost[host].workerCpuPerConsumer).toBeGreaterThan(0);
    expect(result.lecture.perHost[host].participantsAtThreshold).toBeGreaterThan(0);
  });
});
