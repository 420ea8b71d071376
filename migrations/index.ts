import { CreateFoundation1764000000000 } from './1764000000000-create-foundation';
import { CreateLtijsStore1764000000100 } from './1764000000100-create-ltijs-store';
import { CreateDevPlatform1764000000200 } from './1764000000200-create-dev-platform';
import { CreateLtiAdvantage1764000001000 } from './1764000001000-create-lti-advantage';
import { AddActivityGrading1764000001100 } from './1764000001100-add-activity-grading';
import { AddDeepLinking1764000001200 } from './1764000001200-add-deep-linking';
import { AddDynamicRegistration1764000001300 } from './1764000001300-add-dynamic-registration';
import { CreateToolSigningKeys1764000001400 } from './1764000001400-create-tool-signing-keys';
import { CreateLiveRoom1764000002000 } from './1764000002000-create-live-room';
import { CreateWhiteboard1764000003000 } from './1764000003000-create-whiteboard';
import { AddPlatformFrameOrigins1796357467047 } from './1796357467047-add-platform-frame-origins';
import { CreateQuizzes1796359300000 } from './1796359300000-create-quizzes';
import { CreateAttendance1796362000000 } from './1796362000000-create-attendance';
import { CreateAttendanceMail1796362500000 } from './1796362500000-create-attendance-mail';
import { CreateRecordingCapture1796370000000 } from './1796370000000-create-recording-capture';
import { IndexOpenRecordingRuns1796370100000 } from './1796370100000-index-open-recording-runs';
import { CreateRecording1796370500000 } from './1796370500000-create-recording';
import { CreateClassControl1796371000000 } from './1796371000000-create-class-control';
import { AddObserversAndTimeZones1796372000000 } from './1796372000000-add-observers-and-time-zones';
import { AllowObserverAndDesignerRoles1796379190000 } from './1796379190000-allow-observer-and-designer-roles';
import { AddUserLocale1796382000000 } from './1796382000000-add-user-locale';
import { CreateBreakouts1796386000000 } from './1796386000000-create-breakouts';
import { AllowBreakoutMarks1796387000000 } from './1796387000000-allow-breakout-marks';

/** Every migration, in order. Add new ones at the end. */
export const MIGRATIONS = [
  CreateFoundation1764000000000,
  CreateLtijsStore1764000000100,
  CreateDevPlatform1764000000200,
  CreateLtiAdvantage1764000001000,
  AddActivityGrading1764000001100,
  AddDeepLinking1764000001200,
  AddDynamicRegistration1764000001300,
  CreateToolSigningKeys1764000001400,
  CreateLiveRoom1764000002000,
  CreateWhiteboard1764000003000,
  AddPlatformFrameOrigins1796357467047,
  CreateQuizzes1796359300000,
  CreateAttendance1796362000000,
  CreateAttendanceMail1796362500000,
  CreateRecordingCapture1796370000000,
  IndexOpenRecordingRuns1796370100000,
  CreateRecording1796370500000,
  CreateClassControl1796371000000,
  AddObserversAndTimeZones1796372000000,
  AllowObserverAndDesignerRoles1796379190000,
  AddUserLocale1796382000000,
  CreateBreakouts1796386000000,
  AllowBreakoutMarks1796387000000,
];
