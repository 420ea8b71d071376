import { describe, expect, it } from 'vitest';
import { assertFetchable, isPrivateAddress, OutboundUrlError, readCapped } from './outbound-http';

describe('outbound URL policy', () => {
  it.each(['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1'])(
    'treats %s as private',
    (ip) => expect(isPrivateAddress(ip)).toBe(true),
  );
  it.each(['8.8.8.8', '172.32.0.1', '2001:4860:4860::8888'])('treats %s as public', (ip) => expect(isPrivateAddress(ip)).toBe(false));

  it('refuses loopback and http in production, allows them in development', async () => {
    const prod = { allowPrivate: false, allowHttp: false };
    await expect(assertFetchable('http://lms.example.edu/x', prod)).rejects.toThrow(/https/);
    await expect(assertFetchable('https://127.0.0.1/x', prod)).rejects.toThrow(OutboundUrlError);
    await expect(assertFetchable('https://localhost/x', prod)).rejects.toThrow(/private or loopback/);
    await expect(assertFetchable('https://[::1]/x', prod)).rejects.toThrow(/private or loopback/);
    expect((await assertFetchable('http://127.0.0.1:3000/x', { allowPrivate: true, allowHttp: true })).port).toBe('3000');
  });

  it('caps bodies', async () => {
    await expect(readCapped(new Response('x'.repeat(2000)), 1000)).rejects.toThrow(/larger than 1000/);
    expect(await readCapped(new Response('{"a":1}'), 1000)).toBe('{"a":1}');
  });
});
