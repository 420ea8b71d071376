import { MigrationInterface, QueryRunner } from 'typeorm';

/** A recording's chapter marks also say where the class split into breakout rooms and where it came back. */
export class AllowBreakoutMarks1796387000000 implements MigrationInterface {
  name = 'AllowBreakoutMarks1796387000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE recording_mark DROP CONSTRAINT IF EXISTS recording_mark_kind_check`);
    await q.query(
      `ALTER TABLE recording_mark ADD CONSTRAINT recording_mark_kind_check
         CHECK (kind IN ('start', 'pause', 'resume', 'screen-start', 'screen-stop', 'gap', 'breakouts', 'breakouts-end', 'stop'))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM recording_mark WHERE kind IN ('breakouts', 'breakouts-end')`);
    await q.query(`ALTER TABLE recording_mark DROP CONSTRAINT IF EXISTS recording_mark_kind_check`);
    await q.query(
      `ALTER TABLE recording_mark ADD CONSTRAINT recording_mark_kind_check
         CHECK (kind IN ('start', 'pause', 'resume', 'screen-start', 'screen-stop', 'gap', 'stop'))`,
    );
  }
}
