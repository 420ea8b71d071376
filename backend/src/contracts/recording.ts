/**
 * Recording over the live room's socket: every member learns whether the class is being recorded (a
 * banner when they join, an indicator after), and instructors pause and resume it. REST bodies of the
 * recording switches (classroom and platform) are here too.
 */
import { z } from 'zod';

export const RecordingEvents = {
  /** The class's recording state now (sent after joining the room). */
  sync: 'recording:sync',
  /** Instructors: pause (true) or resume (false) the recording; everyone sees it, and a chapter mark is left. */
  pause: 'recording:pause',
} as const;

export const RecordingServerEvents = {
  /** The recording state changed (paused, resumed, turned off). */
  state: 'recording:state',
} as const;

export const recordingSchemas = {
  [RecordingEvents.sync]: z.object({}).strict(),
  [RecordingEvents.pause]: z.object({ paused: z.boolean() }).strict(),
} as const;

/**
 * `recording`: the class is recorded; `paused`: an instructor paused it; `off`: this class is not
 * recorded (`off` says whose switch: the platform's administrator or the classroom's setting).
 */
export interface RecordingState {
  status: 'recording' | 'paused' | 'off';
  off: 'platform' | 'classroom' | null;
  /** When the status began (ISO). */
  since: string;
  /** Who paused it (when paused). */
  by: string | null;
}

export interface RecordingAckData {
  [RecordingEvents.sync]: RecordingState;
  [RecordingEvents.pause]: RecordingState;
}

export interface RecordingServerPayloads {
  [RecordingServerEvents.state]: RecordingState;
}

/** PUT /api/recording/settings (instructors of the classroom): the classroom's own switch; null follows the platform. */
export const classroomRecordingBody = z.object({ enabled: z.boolean().nullable() }).strict();

export interface ClassroomRecordingSettings {
  /** The classroom's own choice (null: the platform's default). */
  classroom: boolean | null;
  /** The platform's default, set by the administrator. */
  platform: boolean;
  /** Whether its classes record. */
  enabled: boolean;
}

/** PUT /api/admin/platforms/:id/recording (operator): whether the platform's classes record, and how long recordings are kept. */
export const platformRecordingBody = z
  .object({ enabled: z.boolean(), retentionDays: z.number().int().positive().max(3650).nullable() })
  .strict();

export interface PlatformRecordingSettings {
  enabled: boolean;
  retentionDays: number | null;
}
