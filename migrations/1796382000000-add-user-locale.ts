import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The person's language as the LMS last sent it (the launch's launch_presentation.locale, a BCP 47 tag):
 * what the server writes for that person when they are not looking (mails, reports by mail) and the files
 * they download are in it. Null: the LMS never said (English).
 */
export class AddUserLocale1796382000000 implements MigrationInterface {
  name = 'AddUserLocale1796382000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE lti_user ADD COLUMN IF NOT EXISTS locale text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE lti_user DROP COLUMN IF EXISTS locale`);
  }
}
