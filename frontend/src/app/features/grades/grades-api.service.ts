import { HttpClient } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import type { AttendanceGradesBody, AttendanceGradesSaved, GradebookView } from '@contracts/api';
import type { SessionReport } from '@contracts/attendance';
import { firstValueFrom } from 'rxjs';

@Injectable({ providedIn: 'root' })
export class GradesApi {
  private readonly http = inject(HttpClient);

  gradebook(): Promise<GradebookView> {
    return firstValueFrom(this.http.get<GradebookView>('/api/grades'));
  }

  /** The points a student earns for attending this classroom (null: attendance is not graded). */
  setAttendancePoints(attendancePoints: number | null): Promise<unknown> {
    return firstValueFrom(this.http.put('/api/classroom/grading', { attendancePoints }));
  }

  setAttendanceScore(subject: string, scoreGiven: number): Promise<unknown> {
    return firstValueFrom(this.http.put(`/api/grades/attendance/${encodeURIComponent(subject)}`, { scoreGiven }));
  }

  /** Several grades at once: all are recorded, or none (a bad row is named in the error). */
  saveAttendanceScores(body: AttendanceGradesBody): Promise<AttendanceGradesSaved> {
    return firstValueFrom(this.http.put<AttendanceGradesSaved>('/api/grades/attendance', body));
  }

  /** Attendance's own report of one class (statuses computed by the attendance module). */
  classReport(sessionId: string): Promise<SessionReport> {
    return firstValueFrom(
      this.http.get<SessionReport>(`/api/attendance/sessions/${encodeURIComponent(sessionId)}/report`),
    );
  }

  retry(outboxId: string): Promise<unknown> {
    return firstValueFrom(this.http.post(`/api/grades/${encodeURIComponent(outboxId)}/retry`, {}));
  }
}
