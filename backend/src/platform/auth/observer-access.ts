import { AttendanceEvents } from '../../contracts/attendance';
import { BroadcastEvents } from '../../contracts/broadcast';
import { MediaEvents } from '../../contracts/media';
import { QuizEvents } from '../../contracts/quiz';
import { ClientEvents } from '../../contracts/realtime';
import { RecordingEvents } from '../../contracts/recording';
import { RecordingsEvents } from '../../contracts/recording-playback';
import { SessionEvents } from '../../contracts/session';
import { WhiteboardClientEvents } from '../../contracts/whiteboard';

/**
 * Observers (role `observer`: an LMS Mentor such as a parent, or a launch with no role in the course) watch
 * and read a class and send nothing into it. The socket gate lets an observer send only the events named
 * here (OBSERVER_READ_ONLY for any other), so a new event of any domain is closed to observers until it is
 * added on purpose: join and leave, receive video and audio (never produce), read the board and a quiz
 * (never draw or answer), the recording state; their page visibility (attendance ignores non-learners).
 * Chat, a raised hand, media flags, asking to unmute: refused.
 */
export const OBSERVER_EVENTS: ReadonlySet<string> = new Set<string>([
  ClientEvents.join,
  ClientEvents.leave,
  BroadcastEvents.route,
  MediaEvents.join,
  MediaEvents.ready,
  MediaEvents.createTransport,
  MediaEvents.connectTransport,
  MediaEvents.restartIce,
  MediaEvents.consume,
  MediaEvents.resumeConsumer,
  MediaEvents.setLayers,
  MediaEvents.leave,
  WhiteboardClientEvents.sync,
  WhiteboardClientEvents.follow,
  QuizEvents.sync,
  RecordingEvents.sync,
  AttendanceEvents.visibility,
  // The Recordings page hearing that its list changed (observers may list and play a course's recordings).
  RecordingsEvents.follow,
  // Keeping the connection past one token (a refreshed token handed to the socket).
  SessionEvents.renew,
]);
