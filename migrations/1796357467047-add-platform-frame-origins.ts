import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Origins, besides a platform's own URLs, from which that platform shows Lectern in a frame (Canvas serves
 * courses from the school's domain, not from its issuer). They join the CSP's frame-ancestors.
 */
export class AddPlatformFrameOrigins1796357467047 implements MigrationInterface {
  name = 'AddPlatformFrameOrigins1796357467047';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE lti_platform_frame_origin (
      platform_id uuid NOT NULL REFERENCES lti_platform(id) ON DELETE CASCADE,
      origin text NOT NULL CHECK (origin ~ '^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$'),
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (platform_id, origin)
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS lti_platform_frame_origin`);
  }
}
