import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataSourceOptions } from '../../platform/database';
import { createTestDatabase } from '../../testing/test-app';
import { LtijsPostgresStore } from './ltijs-postgres-store';

describe('LtijsPostgresStore (ltijs database plugin on real Postgres)', () => {
  let db: DataSource;
  let store: LtijsPostgresStore;
  const KEY = 'k'.repeat(40);

  beforeAll(async () => {
    db = new DataSource(dataSourceOptions(await createTestDatabase()));
    await db.initialize();
    store = new LtijsPostgresStore(db);
  });
  afterAll(() => db?.destroy());

  it('gets by equality on several fields, and returns false when nothing matches', async () => {
    await store.Insert(false, 'platform', {
      platformUrl: 'https://a',
      clientId: '1',
      kid: 'k1',
      authConfig: { method: 'JWK_SET', key: 'u' },
    });
    await store.Insert(false, 'platform', { platformUrl: 'https://a', clientId: '2', kid: 'k2' });
    expect(await store.Get(false, 'platform', { platformUrl: 'https://a' })).toHaveLength(2);
    expect(await store.Get(false, 'platform', { platformUrl: 'https://a', clientId: '2' })).toEqual([
      { platformUrl: 'https://a', clientId: '2', kid: 'k2' },
    ]);
    expect(await store.Get(false, 'platform', { platformUrl: 'https://b' })).toBe(false);
  });

  it('modifies fields in place', async () => {
    await store.Modify(false, 'platform', { kid: 'k1' }, { platformName: 'Renamed' });
    const [p] = (await store.Get(false, 'platform', { kid: 'k1' })) as Array<Record<string, unknown>>;
    expect(p).toMatchObject({ platformName: 'Renamed', clientId: '1', authConfig: { method: 'JWK_SET' } });
  });

  it('encrypts documents the way ltijs does, and decrypts them on Get', async () => {
    await store.Replace(
      KEY,
      'privatekey',
      { kid: 'x' },
      { key: '-----BEGIN RSA PRIVATE KEY-----', kid: 'x' },
      { kid: 'x', platformUrl: 'https://a' },
    );
    const [raw] = await db.query(`SELECT doc FROM ltijs_privatekey`);
    expect(raw.doc.kid).toBe('x');
    expect(JSON.stringify(raw.doc)).not.toContain('PRIVATE KEY');
    const [got] = (await store.Get(KEY, 'privatekey', { kid: 'x' })) as Array<Record<string, unknown>>;
    expect(got.key).toBe('-----BEGIN RSA PRIVATE KEY-----');
    expect(typeof got.createdAt).toBe('number');
    await store.Modify(KEY, 'privatekey', { kid: 'x' }, { key: 'rotated' });
    expect(((await store.Get(KEY, 'privatekey', { kid: 'x' })) as Array<Record<string, unknown>>)[0].key).toBe(
      'rotated',
    );
  });

  it('replaces instead of duplicating', async () => {
    await store.Replace(false, 'idtoken', { iss: 'i', user: 'u' }, { iss: 'i', user: 'u', n: 1 });
    await store.Replace(false, 'idtoken', { iss: 'i', user: 'u' }, { iss: 'i', user: 'u', n: 2 });
    expect(await store.Get(false, 'idtoken', { iss: 'i', user: 'u' })).toEqual([{ iss: 'i', user: 'u', n: 2 }]);
  });

  it('hides expired documents and purges them', async () => {
    await store.Insert(false, 'nonce', { nonce: 'n1' });
    expect(await store.Get(false, 'nonce', { nonce: 'n1' })).toHaveLength(1);
    await db.query(`UPDATE ltijs_nonce SET expires_at = now() - interval '1 second'`);
    expect(await store.Get(false, 'nonce', { nonce: 'n1' })).toBe(false);
    expect(await store.purgeExpired(['nonce'])).toBe(1);
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM ltijs_nonce`);
    expect(n).toBe(0);
  });

  it('deletes by query', async () => {
    await store.Delete('platform', { kid: 'k2' });
    expect(await store.Get(false, 'platform', { kid: 'k2' })).toBe(false);
    expect(await store.Get(false, 'platform', { kid: 'k1' })).toHaveLength(1);
  });

  it('never turns a query with an undefined field into "everything"', async () => {
    const before = await db.query(`SELECT count(*)::int AS n FROM ltijs_platform`);
    expect(before[0].n).toBeGreaterThan(0);
    expect(await store.Get(false, 'platform', { kid: undefined })).toBe(false);
    await expect(store.Delete('platform', { kid: undefined })).rejects.toThrow(/UNDEFINED_QUERY_FIELD/);
    await expect(store.Delete('platform', {})).rejects.toThrow(/EMPTY_QUERY/);
    await expect(store.Modify(false, 'platform', { kid: undefined }, { platformName: 'x' })).rejects.toThrow(
      /UNDEFINED_QUERY_FIELD/,
    );
    expect(await db.query(`SELECT count(*)::int AS n FROM ltijs_platform`)).toEqual(before);
  });

  it('refuses a collection name that could reach SQL', async () => {
    await expect(store.Get(false, 'platform; DROP TABLE x', {})).rejects.toThrow(/UNKNOWN_COLLECTION/);
  });
});
