import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
// eslint-disable-next-line @typescript-eslint/ban-ts-comment
// @ts-ignore -- a plain ES module of the repository's scripts (the tests' and the dev stack's balancer)
import { startProxy } from '../../../scripts/lb-proxy.mjs';

/** The tests' load balancer in front of one live backend and one dead port (an instance SIGKILLed mid-test). */
describe('the local load balancer (scripts/lb-proxy.mjs)', () => {
  const closers: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const c of closers) await c();
  });

  it('sends a POST refused by a dead instance to a live one, body whole, whatever the round robin picks', async () => {
    const seen: string[] = [];
    const live = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push(body);
        res.end(`got ${body}`);
      });
    });
    await new Promise<void>((r) => live.listen(0, '127.0.0.1', r));
    closers.push(() => new Promise((r) => live.close(r)));
    // A port nobody listens on: connections to it are refused.
    const dead = http.createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const deadPort = (dead.address() as AddressInfo).port;
    await new Promise((r) => dead.close(r));
    const proxy = await startProxy({
      backends: [{ port: deadPort }, { port: (live.address() as AddressInfo).port }],
      downForMs: 0, // the dead one is tried again at every request
    });
    closers.push(() => proxy.close());
    for (let i = 0; i < 4; i++) {
      const r = await fetch(`http://127.0.0.1:${proxy.port}/x`, { method: 'POST', body: `form ${i}` });
      expect(r.status).toBe(200);
      expect(await r.text()).toBe(`got form ${i}`);
    }
    expect(seen).toEqual(['form 0', 'form 1', 'form 2', 'form 3']);
  });
});
