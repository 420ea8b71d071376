import { MigrationInterface, QueryRunner } from 'typeorm';

/** The tables behind ltijs's database plugin: one per ltijs collection, documents as jsonb. */
export const LTIJS_COLLECTIONS = [
  'platform',
  'platformStatus',
  'publickey',
  'privatekey',
  'accesstoken',
  'idtoken',
  'contexttoken',
  'nonce',
  'state',
] as const;

export const ltijsTable = (collection: string) => `ltijs_${collection.toLowerCase()}`;

export class CreateLtijsStore1764000000100 implements MigrationInterface {
  name = 'CreateLtijsStore1764000000100';

  async up(q: QueryRunner): Promise<void> {
    for (const c of LTIJS_COLLECTIONS) {
      const t = ltijsTable(c);
      await q.query(`CREATE TABLE ${t} (
        id bigserial PRIMARY KEY,
        doc jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz
      )`);
      await q.query(`CREATE INDEX ${t}_doc ON ${t} USING gin (doc jsonb_path_ops)`);
      await q.query(`CREATE INDEX ${t}_expires ON ${t} (expires_at) WHERE expires_at IS NOT NULL`);
    }
    // The uniqueness ltijs's own schemas declare.
    await q.query(
      `CREATE UNIQUE INDEX ltijs_platform_url_client ON ltijs_platform ((doc->>'platformUrl'), (doc->>'clientId'))`,
    );
    await q.query(`CREATE UNIQUE INDEX ltijs_platform_kid ON ltijs_platform ((doc->>'kid'))`);
    await q.query(`CREATE UNIQUE INDEX ltijs_platformstatus_id ON ltijs_platformstatus ((doc->>'id'))`);
    await q.query(`CREATE UNIQUE INDEX ltijs_publickey_kid ON ltijs_publickey ((doc->>'kid'))`);
    await q.query(`CREATE UNIQUE INDEX ltijs_privatekey_kid ON ltijs_privatekey ((doc->>'kid'))`);
    await q.query(`CREATE UNIQUE INDEX ltijs_state_state ON ltijs_state ((doc->>'state'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const c of LTIJS_COLLECTIONS) await q.query(`DROP TABLE IF EXISTS ${ltijsTable(c)}`);
  }
}
