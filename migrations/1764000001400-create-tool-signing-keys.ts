import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Key rotation: which of the tool's key pairs for a platform signs now, and when older ones stopped.
 * The keys themselves stay in ltijs's key tables (private keys encrypted), so every key is in the JWKS
 * until its grace period ends.
 */
export class CreateToolSigningKeys1764000001400 implements MigrationInterface {
  name = 'CreateToolSigningKeys1764000001400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE tool_signing_key (
      kid text PRIMARY KEY,
      platform_id uuid NOT NULL REFERENCES lti_platform(id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      retired_at timestamptz
    )`);
    await q.query(`CREATE UNIQUE INDEX tool_signing_key_one_active ON tool_signing_key (platform_id) WHERE retired_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS tool_signing_key`);
  }
}
