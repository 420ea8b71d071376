import { MigrationInterface, QueryRunner } from 'typeorm';

/** Signing keys of the development LMS platform (only used when the dev platform is enabled). */
export class CreateDevPlatform1764000000200 implements MigrationInterface {
  name = 'CreateDevPlatform1764000000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE dev_platform_key (
      kid text PRIMARY KEY,
      private_jwk jsonb NOT NULL,
      public_jwk jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS dev_platform_key`);
  }
}
