import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Enrolments of the two roles Canvas and Moodle send that Lectern used to refuse: `designer` (LIS
 * ContentDeveloper) and `observer` (LIS Mentor, or an empty roles claim). See contracts/api.ts CourseRole.
 */
export class AllowObserverAndDesignerRoles1796379190000 implements MigrationInterface {
  name = 'AllowObserverAndDesignerRoles1796379190000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE enrolment DROP CONSTRAINT IF EXISTS enrolment_role_check`);
    await q.query(
      `ALTER TABLE enrolment ADD CONSTRAINT enrolment_role_check
         CHECK (role IN ('administrator', 'instructor', 'teaching_assistant', 'designer', 'learner', 'observer'))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM enrolment WHERE role IN ('designer', 'observer')`);
    await q.query(`ALTER TABLE enrolment DROP CONSTRAINT IF EXISTS enrolment_role_check`);
    await q.query(
      `ALTER TABLE enrolment ADD CONSTRAINT enrolment_role_check
         CHECK (role IN ('administrator', 'instructor', 'teaching_assistant', 'learner'))`,
    );
  }
}
