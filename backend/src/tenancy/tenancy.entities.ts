import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { CourseRole } from './domain/role-mapping';

/** A registered LMS: issuer + client id. Its keys and endpoints live in ltijs's tables (ltijs_platform). */
@Entity('lti_platform')
export class LtiPlatformRow {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column() issuer: string;
  @Column({ name: 'client_id' }) clientId: string;
  @Column() name: string;
  /** ltijs's id for this platform (its key id); used to find the platform in ltijs. */
  @Column({ name: 'ltijs_kid' }) ltijsKid: string;
  @Column({ default: true }) active: boolean;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

@Entity('lti_deployment')
export class LtiDeploymentRow {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'platform_id', type: 'uuid' }) platformId: string;
  @Column({ name: 'deployment_id' }) deploymentId: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

/** An LTI context: a course of one platform. */
@Entity('course')
export class CourseRow {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'platform_id', type: 'uuid' }) platformId: string;
  @Column({ name: 'deployment_id', type: 'uuid' }) deploymentId: string;
  @Column({ name: 'context_id' }) contextId: string;
  @Column() title: string;
  @Column({ type: 'text', nullable: true }) label: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

@Entity('lti_user')
export class LtiUserRow {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'platform_id', type: 'uuid' }) platformId: string;
  @Column() subject: string;
  @Column() name: string;
  @Column({ type: 'text', nullable: true }) email: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

@Entity('enrolment')
export class EnrolmentRow {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'course_id', type: 'uuid' }) courseId: string;
  @Column({ name: 'user_id', type: 'uuid' }) userId: string;
  @Column({ type: 'text' }) role: CourseRole;
  @Column({ name: 'lti_roles', type: 'text', array: true }) ltiRoles: string[];
  @Column({ name: 'last_launch_at', type: 'timestamptz' }) lastLaunchAt: Date;
}

/** An LTI resource link: the classroom placed in a course (a course may hold several). */
@Entity('classroom_activity')
export class ClassroomActivityRow {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'course_id', type: 'uuid' }) courseId: string;
  @Column({ name: 'resource_link_id' }) resourceLinkId: string;
  @Column() title: string;
  @Column({ type: 'text', nullable: true }) description: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

export const TENANCY_ENTITIES = [LtiPlatformRow, LtiDeploymentRow, CourseRow, LtiUserRow, EnrolmentRow, ClassroomActivityRow];
