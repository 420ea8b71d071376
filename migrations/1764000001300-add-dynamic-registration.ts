import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Dynamic Registration: where a registration came from, and whether the platform's deployments are
 * taken as they come (a platform that registered dynamically without naming its deployment).
 * The dev LMS keeps the tools registered with it dynamically.
 */
export class AddDynamicRegistration1764000001300 implements MigrationInterface {
  name = 'AddDynamicRegistration1764000001300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE lti_platform ADD COLUMN source text NOT NULL DEFAULT 'manual' CHECK (source IN ('manual', 'dynamic'))`,
    );
    await q.query(`ALTER TABLE lti_platform ADD COLUMN accept_new_deployments boolean NOT NULL DEFAULT false`);
    await q.query(`CREATE TABLE dev_platform_client (
      client_id text PRIMARY KEY,
      deployment_id text NOT NULL,
      client_name text NOT NULL,
      initiate_login_uri text NOT NULL,
      redirect_uris text[] NOT NULL,
      jwks_uri text NOT NULL,
      registration jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS dev_platform_client`);
    await q.query(`ALTER TABLE lti_platform DROP COLUMN source, DROP COLUMN accept_new_deployments`);
  }
}
