/**
 * The Recordings page's REST wire (the after-class side of recording): what the list and the player get,
 * and the bodies they send. Used by the backend's controllers and the Angular app alike.
 */
import { z } from 'zod';

export const recordingStatuses = ['queued', 'processing', 'ready', 'failed', 'empty'] as const;
export type RecordingStatus = (typeof recordingStatuses)[number];

export interface RecordingChapter {
  start: number;
  end: number;
  title: string;
}

/** One recording in a course's list. Progress, tries and errors are sent to instructors only. */
export interface RecordingSummary {
  id: string;
  title: string;
  startedAt: string;
  endedAt: string | null;
  status: RecordingStatus;
  durationMs: number | null;
  hidden: boolean;
  chapters: RecordingChapter[];
  /** Instructors only: the step under way and its overall percent, tries so far, the last failure. */
  progress?: { stage: string | null; percent: number; attempts: number; error: string | null };
}

/** What the player needs: signed, expiring links (master playlist, chapters, board) and where to resume. */
export interface RecordingPlayback {
  id: string;
  title: string;
  startedAt: string;
  durationMs: number;
  chapters: RecordingChapter[];
  hlsUrl: string;
  mp4Url: string;
  chaptersUrl: string;
  boardUrl: string;
  positionMs: number;
  expiresAt: string;
}

export const hideRecordingSchema = z.object({ hidden: z.boolean() }).strict();
export const savePositionSchema = z
  .object({
    positionMs: z
      .number()
      .int()
      .min(0)
      .max(24 * 3600 * 1000),
  })
  .strict();
export type HideRecordingBody = z.infer<typeof hideRecordingSchema>;
export type SavePositionBody = z.infer<typeof savePositionSchema>;

/**
 * The Recordings page's socket (instructors): `recordings:watch` subscribes the socket to its course's
 * recording jobs; `recordings:progress` then arrives at each step, every second of progress, and at the
 * end (ready, failed with its reason, empty), from whichever instance runs the job.
 */
export const RecordingsEvents = {
  watch: 'recordings:watch',
  /**
   * Anyone of the course who may list its recordings (not guests): the socket hears `recordings:changed`
   * when the list may have changed for them (a recording became ready, was hidden or shown again), and
   * reads the list again; nothing about a recording travels with it.
   */
  follow: 'recordings:follow',
} as const;

export const RecordingsServerEvents = {
  progress: 'recordings:progress',
  changed: 'recordings:changed',
} as const;

export const recordingsSchemas = {
  [RecordingsEvents.watch]: z.object({}).strict(),
  [RecordingsEvents.follow]: z.object({}).strict(),
} as const;

export interface RecordingsAckData {
  [RecordingsEvents.watch]: { watching: true };
  [RecordingsEvents.follow]: { following: true };
}

/** A recording's job as it goes: its status, the step under way and the overall percent, tries, the last failure. */
export interface RecordingProgressUpdate {
  id: string;
  status: RecordingStatus;
  stage: string | null;
  percent: number;
  attempts: number;
  error: string | null;
}

export interface RecordingsServerPayloads {
  [RecordingsServerEvents.progress]: RecordingProgressUpdate;
  [RecordingsServerEvents.changed]: Record<string, never>;
}
