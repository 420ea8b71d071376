import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config';

const base = {
  DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/lectern',
  REDIS_URL: 'redis://127.0.0.1:6379',
  LTI_KEY: 'k'.repeat(32),
  SESSION_SECRET: 's'.repeat(32),
};

describe('loadConfig', () => {
  it('fills defaults for development', () => {
    const c = loadConfig({ ...base });
    expect(c.env).toBe('development');
    expect(c.port).toBe(3000);
    expect(c.publicUrl).toBe('http://localhost:3000');
    expect(c.devPlatform).toEqual({ enabled: false, url: 'http://127.0.0.1:3000/dev-platform' });
    expect(loadConfig({ ...base, DEV_PLATFORM: 'true' }).devPlatform.enabled).toBe(true);
  });

  it('names the missing variable', () => {
    const { DATABASE_URL: _omit, ...rest } = base;
    expect(() => loadConfig(rest)).toThrowError(/DATABASE_URL is required/);
  });

  it('names a bad value', () => {
    try {
      loadConfig({ ...base, PORT: 'eighty', REDIS_URL: 'http://x' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const problems = (e as ConfigError).problems.join('\n');
      expect(problems).toMatch(/^PORT /m);
      expect(problems).toMatch(/^REDIS_URL must be a URL starting with redis:\/\//m);
    }
  });

  it('refuses short secrets', () => {
    expect(() => loadConfig({ ...base, SESSION_SECRET: 'short' })).toThrowError(/SESSION_SECRET must be at least 32/);
  });

  it('never enables the dev platform in production', () => {
    expect(
      loadConfig({ ...base, NODE_ENV: 'production', PUBLIC_URL: 'https://lectern.example.edu' }).devPlatform.enabled,
    ).toBe(false);
    expect(() =>
      loadConfig({ ...base, NODE_ENV: 'production', PUBLIC_URL: 'https://lectern.example.edu', DEV_PLATFORM: 'true' }),
    ).toThrowError(/DEV_PLATFORM/);
  });

  it('requires an https PUBLIC_URL in production, and only there', () => {
    expect(() => loadConfig({ ...base, NODE_ENV: 'production' })).toThrowError(
      /PUBLIC_URL must be an https URL when NODE_ENV is production/,
    );
    expect(() =>
      loadConfig({ ...base, NODE_ENV: 'production', PUBLIC_URL: 'http://lectern.example.edu' }),
    ).toThrowError(/PUBLIC_URL must be an https URL .*got http:\/\/lectern.example.edu/);
    const prod = loadConfig({ ...base, NODE_ENV: 'production', PUBLIC_URL: 'https://lectern.example.edu' });
    expect(prod.publicUrl).toBe('https://lectern.example.edu');
    expect(prod.outbound).toEqual({ allowPrivate: false, allowHttp: false });
    expect(loadConfig({ ...base, PUBLIC_URL: 'http://localhost:4000' }).publicUrl).toBe('http://localhost:4000');
  });

  it('keeps the outbound policy strict when NODE_ENV is forgotten on a real deployment (only a loopback dev setup or tests may reach private addresses)', () => {
    const forgotten = loadConfig({ ...base, NODE_ENV: undefined, PUBLIC_URL: 'https://lectern.example.edu' });
    expect(forgotten.outbound).toEqual({ allowPrivate: false, allowHttp: false });
    const dev = loadConfig({ ...base, NODE_ENV: 'development', PUBLIC_URL: 'http://localhost:3000' });
    expect(dev.outbound).toEqual({ allowPrivate: true, allowHttp: true });
    expect(loadConfig({ ...base, NODE_ENV: 'test' }).outbound).toEqual({ allowPrivate: true, allowHttp: true });
    expect(
      loadConfig({
        ...base,
        NODE_ENV: undefined,
        PUBLIC_URL: 'https://lectern.example.edu',
        ALLOW_PRIVATE_NETWORK_URLS: 'true',
      }).outbound.allowPrivate,
    ).toBe(true);
  });

  it('takes a UDP port range for the pipes between media hosts, both ends, in order, clear of the WebRTC ports', () => {
    expect(loadConfig({ ...base }).media.pipePorts).toBeNull();
    expect(loadConfig({ ...base, MEDIA_PIPE_PORT_MIN: '41000', MEDIA_PIPE_PORT_MAX: '41099' }).media.pipePorts).toEqual(
      { min: 41000, max: 41099 },
    );
    expect(() => loadConfig({ ...base, MEDIA_PIPE_PORT_MIN: '41000' })).toThrowError(
      /MEDIA_PIPE_PORT_MIN and MEDIA_PIPE_PORT_MAX are set together/,
    );
    expect(() => loadConfig({ ...base, MEDIA_PIPE_PORT_MIN: '41100', MEDIA_PIPE_PORT_MAX: '41000' })).toThrowError(
      /MEDIA_PIPE_PORT_MIN \(41100\) must not be above MEDIA_PIPE_PORT_MAX \(41000\)/,
    );
    expect(() => loadConfig({ ...base, MEDIA_PIPE_PORT_MIN: '80', MEDIA_PIPE_PORT_MAX: '90' })).toThrowError(
      /MEDIA_PIPE_PORT_MIN Too small: expected number to be >=1024/,
    );
    // MEDIA_PORT 40000 with two workers takes 40000-40001.
    expect(() =>
      loadConfig({ ...base, MEDIA_WORKERS: '2', MEDIA_PIPE_PORT_MIN: '39990', MEDIA_PIPE_PORT_MAX: '40000' }),
    ).toThrowError(/overlaps the WebRTC ports .*40000-40001/);
    expect(
      loadConfig({ ...base, MEDIA_WORKERS: '2', MEDIA_PIPE_PORT_MIN: '40002', MEDIA_PIPE_PORT_MAX: '40100' }).media
        .pipePorts,
    ).toEqual({ min: 40002, max: 40100 });
  });

  it('strips a trailing slash from PUBLIC_URL', () => {
    expect(loadConfig({ ...base, PUBLIC_URL: 'https://lectern.example.edu/' }).publicUrl).toBe(
      'https://lectern.example.edu',
    );
  });
});
