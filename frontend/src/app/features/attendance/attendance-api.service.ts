import { HttpClient } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import type {
  AttendanceSettingsView,
  ClassroomSettingsBody,
  ContactsImportResult,
  GuardianContactsView,
  ReportFrequency,
  ReportSubscriptionView,
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

  /** A class's report as a file (CSV or PDF), fetched with the session's token, then handed to the browser. */
  sessionFile(sessionId: string, format: 'csv' | 'pdf'): Promise<Blob> {
    return firstValueFrom(
      this.http.get(`/api/attendance/exports/sessions/${q(sessionId)}`, { params: { format }, responseType: 'blob' }),
    );
  }

  /** The course's report over a period as a file. */
  courseFile(range: CourseReportQuery, format: 'csv' | 'pdf'): Promise<Blob> {
    return firstValueFrom(
      this.http.get('/api/attendance/exports/course', { params: { ...range, format }, responseType: 'blob' }),
    );
  }

  /** The course's own time zone (null: back to the platform's default). */
  saveTimeZone(timeZone: string | null): Promise<AttendanceSettingsView> {
    return firstValueFrom(this.http.put<AttendanceSettingsView>('/api/attendance/course/time-zone', { timeZone }));
  }

  contacts(): Promise<GuardianContactsView> {
    return firstValueFrom(this.http.get<GuardianContactsView>('/api/attendance/contacts'));
  }

  /** Imports guardian contacts from CSV text (all or nothing). */
  importContacts(csv: string): Promise<ContactsImportResult> {
    return firstValueFrom(
      this.http.post<ContactsImportResult>('/api/attendance/contacts', csv, {
        headers: { 'content-type': 'text/csv' },
      }),
    );
  }

  subscription(): Promise<ReportSubscriptionView> {
    return firstValueFrom(this.http.get<ReportSubscriptionView>('/api/attendance/report-subscription'));
  }

  subscribe(frequency: ReportFrequency): Promise<ReportSubscriptionView> {
    return firstValueFrom(this.http.put<ReportSubscriptionView>('/api/attendance/report-subscription', { frequency }));
  }

  async unsubscribe(): Promise<void> {
    await firstValueFrom(this.http.delete('/api/attendance/report-subscription'));
  }
}
