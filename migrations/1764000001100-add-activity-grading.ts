import { MigrationInterface, QueryRunner } from 'typeorm';

/** How a classroom is graded (set by deep linking or by the instructor), and the LMS line item its launches name. */
export class AddActivityGrading1764000001100 implements MigrationInterface {
  name = 'AddActivityGrading1764000001100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE classroom_activity ADD COLUMN attendance_points numeric CHECK (attendance_points > 0)`);
    await q.query(`ALTER TABLE classroom_activity ADD COLUMN quiz_points numeric CHECK (quiz_points > 0)`);
    await q.query(`ALTER TABLE classroom_activity ADD COLUMN lms_line_item_url text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE classroom_activity DROP COLUMN attendance_points, DROP COLUMN quiz_points, DROP COLUMN lms_line_item_url`,
    );
  }
}
