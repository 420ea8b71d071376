import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config';
import {
  checkedLookup,
  isPrivateAddress,
  outboundAgents,
  outboundFetch,
  OutboundUrlError,
  readCapped,
} from './outbound-http';

const production = loadConfig({
  NODE_ENV: 'production',
  PUBLIC_URL: 'https://lectern.example.edu',
  DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/x',
  REDIS_URL: 'redis://127.0.0.1:6379',
  LTI_KEY: 'k'.repeat(32),
  SESSION_SECRET: 's'.repeat(32),
}).outbound;
const development = { allowPrivate: true, allowHttp: true };

describe('outbound address policy', () => {
  it.each([
    // IPv4 special-purpose ranges
    '0.0.0.0',
    '0.1.2.3',
    '10.1.2.3',
    '100.64.0.1',
    '100.127.255.254',
    '127.0.0.1',
    '127.9.9.9',
    '169.254.169.254',
    '172.16.0.1',
    '172.31.255.255',
    '192.0.0.8',
    '192.0.2.1',
    '192.88.99.1',
    '192.168.1.1',
    '198.18.0.1',
    '198.19.255.255',
    '198.51.100.7',
    '203.0.113.9',
    '224.0.0.1',
    '239.255.255.250',
    '240.0.0.1',
    '255.255.255.255',
    // IPv6 special ranges
    '::',
    '::1',
    'fc00::1',
    'fd12:3456::1',
    'fe80::1',
    'fe80::1%eth0',
    'febf::1',
    'fec0::1',
    'ff02::1',
    '2001:db8::1',
    '3fff::1',
    '100::1',
    '::127.0.0.1',
    // IPv4 inside IPv6: mapped (dotted and hex), NAT64 (well-known and local-use), 6to4, Teredo
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::FFFF:10.0.0.1',
    '0:0:0:0:0:ffff:a9fe:a9fe',
    '64:ff9b::10.0.0.1',
    '64:ff9b::7f00:1',
    '64:ff9b:1::8.8.8.8',
    '2002:7f00:1::1',
    '2002:c0a8:101::',
    '2002:a9fe:a9fe::1',
    '2001:0:4136:e378:8000:63bf:3fff:fdd2',
    '2001::1',
    // not an address at all
    'localhost',
    '',
  ])('refuses %s', (ip) => expect(isPrivateAddress(ip)).toBe(true));

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '172.32.0.1',
    '100.128.0.1',
    '198.20.0.1',
    '223.255.255.254',
    '2001:4860:4860::8888',
    '2606:4700::1111',
    '::ffff:8.8.8.8',
    '64:ff9b::8.8.8.8',
    '2002:808:808::1',
  ])('allows the public %s', (ip) => expect(isPrivateAddress(ip)).toBe(false));
});

describe('outbound fetches', () => {
  let server: http.Server;
  let port: number;
  let hits = 0;
  beforeAll(async () => {
    server = http.createServer((_req, res) => {
      hits++;
      res.end('{"ok":true}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('refuses the IPv4-mapped loopback under production settings, in both spellings, without connecting', async () => {
    expect(production).toEqual({ allowPrivate: false, allowHttp: false });
    for (const url of [
      'https://[::ffff:127.0.0.1]/',
      'https://[::ffff:7f00:1]/x',
      'https://[64:ff9b::7f00:1]/',
      'https://[2002:7f00:1::]/',
      'https://0x7f.1/',
      'https://2130706433/',
      'https://[::1]/',
    ]) {
      await expect(outboundFetch(url, {}, production), url).rejects.toThrow(OutboundUrlError);
    }
    await expect(outboundFetch('http://lms.example.edu/x', {}, production)).rejects.toThrow(/must use https/);
    await expect(outboundFetch('file:///etc/passwd', {}, production)).rejects.toThrow(/must use https/);
  });

  it('checks a host name on the address the connection uses, and never reaches a private one', async () => {
    const before = hits;
    // Production policy but http allowed, so that the refusal can only come from the address check.
    const err = await outboundFetch(`http://localhost:${port}/`, {}, { allowPrivate: false, allowHttp: true }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(OutboundUrlError);
    expect((err as Error).message).toMatch(/localhost resolves to a private, loopback or reserved address/);
    expect(hits).toBe(before);
  });

  it('lets development reach loopback', async () => {
    const res = await outboundFetch(`http://localhost:${port}/`, {}, development);
    expect(await readCapped(res, 100)).toBe('{"ok":true}');
  });

  it('resolves once and hands on exactly the addresses it checked', async () => {
    const lookup = checkedLookup(production);
    const all = await new Promise<unknown>((resolve) => lookup('localhost', { all: true }, (err) => resolve(err)));
    expect(all).toBeInstanceOf(OutboundUrlError);
    const dev = checkedLookup(development);
    const one = await new Promise<[string, number | undefined]>((resolve, reject) =>
      dev('localhost', {}, (err, address, family) => (err ? reject(err) : resolve([address as string, family]))),
    );
    expect(one[0]).toMatch(/^(127\.0\.0\.1|::1)$/);
  });

  it('puts what libraries fetch through Node http (ltijs reading a JWKS) under the same policy', async () => {
    const get = (url: string, agent: http.Agent) =>
      new Promise<unknown>((resolve) => {
        http.get(url, { agent }, (res) => resolve(res.resume().statusCode)).on('error', resolve);
      });
    const refusing = outboundAgents(production).http;
    const before = hits;
    expect(await get(`http://localhost:${port}/jwks`, refusing)).toBeInstanceOf(OutboundUrlError);
    expect(await get(`http://127.0.0.1:${port}/jwks`, refusing)).toBeInstanceOf(OutboundUrlError);
    expect(await get(`http://[::ffff:127.0.0.1]:${port}/jwks`, refusing)).toBeInstanceOf(OutboundUrlError);
    expect(hits).toBe(before);
    expect(await get(`http://localhost:${port}/jwks`, outboundAgents(development).http)).toBe(200);
  });

  it('caps bodies', async () => {
    await expect(readCapped(new Response('x'.repeat(2000)), 1000)).rejects.toThrow(/larger than 1000/);
    expect(await readCapped(new Response('{"a":1}'), 1000)).toBe('{"a":1}');
  });
});
