import { HttpClient } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import type {
  AttendanceSettingsView,
  ClassroomSettingsBody,
  CourseReport,
  CourseReportQuery,
  LiveAttendance,
  SessionReport,
} from '@contracts/attendance';
import { firstValueFrom } from 'rxjs';

const q = (id: string) => encodeURIComponent(id);

/** Attendance over HTTP (the classroom of the session token): the class now, reports and their files, settings. */
@Injectable({ providedIn: 'root' })
export class AttendanceApi {
  private readonly http = inject(HttpClient);

  live(): Promise<LiveAttendance> {
    return firstValueFrom(this.http.get<LiveAttendance>('/api/attendance/live'));
  }

  settings(): Promise<AttendanceSettingsView> {
    return firstValueFrom(this.http.get<AttendanceSettingsView>('/api/attendance/classroom/settings'));
  }

  saveSettings(body: ClassroomSettingsBody): Promise<AttendanceSettingsView> {
    return firstValueFrom(this.http.put<AttendanceSettingsView>('/api/attendance/classroom/settings', body));
  }

  sessionReport(sessionId: string): Promise<SessionReport> {
    return firstValueFrom(this.http.get<SessionReport>(`/api/attendance/sessions/${q(sessionId)}/report`));
  }

  courseReport(range: CourseReportQuery): Promise<CourseReport> {
    return firstValueFrom(this.http.get<CourseReport>('/api/attendance/report', { params: { ...range } }));
  }

  /**
   * A class's report as a file, fetched with the session's token, then handed to the browser as a download.
   * CSV from the report endpoint itself; PDF from the reports' exports (which make both).
   */
  sessionFile(sessionId: string, ext: 'csv' | 'pdf'): Promise<Blob> {
    const url =
      ext === 'csv'
        ? `/api/attendance/sessions/${q(sessionId)}/report.csv`
        : `/api/attendance/exports/sessions/${q(sessionId)}`;
    const params: Record<string, string> = ext === 'pdf' ? { format: 'pdf' } : {};
    return firstValueFrom(this.http.get(url, { params, responseType: 'blob' }));
  }

  /** The course's report over a period as a file. */
  courseFile(range: CourseReportQuery, ext: 'csv' | 'pdf'): Promise<Blob> {
    const url = ext === 'csv' ? '/api/attendance/report.csv' : '/api/attendance/exports/course';
    const params: Record<string, string> = ext === 'pdf' ? { ...range, format: 'pdf' } : { ...range };
    return firstValueFrom(this.http.get(url, { params, responseType: 'blob' }));
  }
}
