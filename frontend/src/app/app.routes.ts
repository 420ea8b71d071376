import { Routes } from '@angular/router';

export const routes: Routes = [
  // A launch POST to /lti is answered with this app and a one-time code inside the page.
  { path: 'lti', loadComponent: () => import('./core/launch.component').then((m) => m.LaunchComponent) },
  // A window of our own, opened from the LMS frame (camera and microphone refused there), signed in by its opener.
  { path: 'popout', loadComponent: () => import('./core/popout').then((m) => m.PopoutComponent) },
  // A guest's invite link (its token in the fragment).
  {
    path: 'guest',
    loadComponent: () =>
      import('./features/classroom/control/guest-entry.component').then((m) => m.GuestEntryComponent),
  },
  { path: 'lobby', loadComponent: () => import('./features/classroom/lobby.component').then((m) => m.LobbyComponent) },
  {
    path: 'room/:sessionId',
    loadComponent: () => import('./features/classroom/room.component').then((m) => m.RoomComponent),
  },
  { path: 'roster', loadComponent: () => import('./features/roster/roster.component').then((m) => m.RosterComponent) },
  { path: 'grades', loadComponent: () => import('./features/grades/grades.component').then((m) => m.GradesComponent) },
  {
    path: 'deep-link',
    loadComponent: () => import('./features/deep-linking/deep-link.component').then((m) => m.DeepLinkComponent),
  },
  {
    path: 'quiz/bank',
    loadComponent: () => import('./features/quiz/question-bank.component').then((m) => m.QuestionBankComponent),
  },
  {
    path: 'quiz/results',
    loadComponent: () => import('./features/quiz/quiz-results.component').then((m) => m.QuizResultsComponent),
  },
  {
    path: 'attendance',
    loadComponent: () =>
      import('./features/attendance/attendance-report.component').then((m) => m.AttendanceReportComponent),
  },
  {
    path: 'board/:sessionId',
    loadComponent: () => import('./features/whiteboard/saved-board.component').then((m) => m.SavedBoardComponent),
  },
  {
    path: 'recordings',
    loadComponent: () => import('./features/recordings/recordings.component').then((m) => m.RecordingsComponent),
  },
  {
    path: 'recordings/:id',
    loadComponent: () =>
      import('./features/recordings/recording-player.component').then((m) => m.RecordingPlayerComponent),
  },
  { path: 'admin', loadComponent: () => import('./features/admin/admin.component').then((m) => m.AdminComponent) },
  { path: '**', loadComponent: () => import('./core/not-launched.component').then((m) => m.NotLaunchedComponent) },
];
