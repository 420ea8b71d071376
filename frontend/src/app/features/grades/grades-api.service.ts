import { HttpClient } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import type { GradebookView } from '@contracts/api';
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

  retry(outboxId: string): Promise<unknown> {
    return firstValueFrom(this.http.post(`/api/grades/${encodeURIComponent(outboxId)}/retry`, {}));
  }
}
