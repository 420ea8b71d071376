import { MigrationInterface, QueryRunner } from 'typeorm';

/** Tenancy (platforms, deployments, courses, users, enrolments, activities), live sessions, login requests. */
export class CreateFoundation1764000000000 implements MigrationInterface {
  name = 'CreateFoundation1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE lti_platform (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      issuer text NOT NULL,
      client_id text NOT NULL,
      name text NOT NULL,
      ltijs_kid text NOT NULL,
      active boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (issuer, client_id)
    )`);
    await q.query(`CREATE TABLE lti_deployment (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      platform_id uuid NOT NULL REFERENCES lti_platform(id) ON DELETE CASCADE,
      deployment_id text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (platform_id, deployment_id)
    )`);
    await q.query(`CREATE TABLE course (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      platform_id uuid NOT NULL REFERENCES lti_platform(id) ON DELETE CASCADE,
      deployment_id uuid NOT NULL REFERENCES lti_deployment(id),
      context_id text NOT NULL,
      title text NOT NULL,
      label text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (platform_id, context_id)
    )`);
    await q.query(`CREATE TABLE lti_user (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      platform_id uuid NOT NULL REFERENCES lti_platform(id) ON DELETE CASCADE,
      subject text NOT NULL,
      name text NOT NULL,
      email text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (platform_id, subject)
    )`);
    await q.query(`CREATE TABLE enrolment (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      course_id uuid NOT NULL REFERENCES course(id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES lti_user(id) ON DELETE CASCADE,
      role text NOT NULL CHECK (role IN ('administrator', 'instructor', 'teaching_assistant', 'learner')),
      lti_roles text[] NOT NULL DEFAULT '{}',
      last_launch_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (course_id, user_id)
    )`);
    await q.query(`CREATE TABLE classroom_activity (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      course_id uuid NOT NULL REFERENCES course(id) ON DELETE CASCADE,
      resource_link_id text NOT NULL,
      title text NOT NULL,
      description text,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (course_id, resource_link_id)
    )`);
    await q.query(`CREATE TABLE live_session (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      activity_id uuid NOT NULL REFERENCES classroom_activity(id) ON DELETE CASCADE,
      course_id uuid NOT NULL REFERENCES course(id) ON DELETE CASCADE,
      started_by uuid NOT NULL REFERENCES lti_user(id),
      started_at timestamptz NOT NULL DEFAULT now(),
      ended_at timestamptz
    )`);
    // One live class per classroom at a time: two instructors pressing "Start class" get the same one.
    await q.query(
      `CREATE UNIQUE INDEX live_session_one_live_per_activity ON live_session (activity_id) WHERE ended_at IS NULL`,
    );
    await q.query(`CREATE INDEX live_session_course ON live_session (course_id, started_at DESC)`);
    await q.query(`CREATE TABLE lti_login_request (
      state text PRIMARY KEY,
      nonce text NOT NULL,
      issuer text NOT NULL,
      client_id text NOT NULL,
      login_hint text NOT NULL,
      lti_message_hint text,
      target_link_uri text NOT NULL,
      deployment_id text,
      storage_target text,
      platform_origin text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      consumed_at timestamptz
    )`);
    await q.query(`CREATE INDEX lti_login_request_created ON lti_login_request (created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'lti_login_request',
      'live_session',
      'classroom_activity',
      'enrolment',
      'lti_user',
      'course',
      'lti_deployment',
      'lti_platform',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${t}`);
    }
  }
}
