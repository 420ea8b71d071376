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
      -- A new key is published first and signs only from here on, so platforms caching the JWKS know it.
      activates_at timestamptz NOT NULL DEFAULT now(),
      retired_at timestamptz
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS tool_signing_key`);
  }
}
