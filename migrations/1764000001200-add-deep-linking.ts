import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Deep linking: a classroom can exist before any link to it (made from the deep-linking page), can be
 * placed behind several resource links, and can carry a schedule. The dev LMS keeps the links placed in it.
 */
export class AddDeepLinking1764000001200 implements MigrationInterface {
  name = 'AddDeepLinking1764000001200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE classroom_activity ALTER COLUMN resource_link_id DROP NOT NULL`);
    await q.query(`ALTER TABLE classroom_activity ADD COLUMN scheduled_for timestamptz`);
    await q.query(`CREATE TABLE activity_link (
      course_id uuid NOT NULL REFERENCES course(id) ON DELETE CASCADE,
      resource_link_id text NOT NULL,
      activity_id uuid NOT NULL REFERENCES classroom_activity(id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (course_id, resource_link_id)
    )`);
    await q.query(`INSERT INTO activity_link (course_id, resource_link_id, activity_id)
                   SELECT course_id, resource_link_id, id FROM classroom_activity WHERE resource_link_id IS NOT NULL`);
    await q.query(`CREATE TABLE dev_platform_link (
      id serial PRIMARY KEY,
      course_id text NOT NULL,
      title text NOT NULL,
      text text,
      custom jsonb NOT NULL DEFAULT '{}',
      lineitem_id integer REFERENCES dev_platform_lineitem(id),
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS dev_platform_link`);
    await q.query(`DROP TABLE IF EXISTS activity_link`);
    await q.query(`ALTER TABLE classroom_activity DROP COLUMN scheduled_for`);
  }
}
