import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One class held in a classroom activity. At most one is live (ended_at null) per activity. */
@Entity('live_session')
export class LiveSessionRow {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'activity_id', type: 'uuid' }) activityId: string;
  @Column({ name: 'course_id', type: 'uuid' }) courseId: string;
  @Column({ name: 'started_by', type: 'uuid' }) startedBy: string;
  @Column({ name: 'started_at', type: 'timestamptz' }) startedAt: Date;
  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true }) endedAt: Date | null;
}
