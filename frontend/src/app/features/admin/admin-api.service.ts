import { HttpClient, HttpHeaders } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import type { AdminPlatformView } from '@contracts/api';
import type { PlatformAttendanceBody, PlatformAttendanceView } from '@contracts/attendance';
import { firstValueFrom } from 'rxjs';

/** The operator's API: every call carries the operator's token (not an LTI session). */
@Injectable({ providedIn: 'root' })
export class AdminApi {
  private readonly http = inject(HttpClient);

  private auth(token: string) {
    return { headers: new HttpHeaders({ Authorization: `Bearer ${token}` }) };
  }

  platforms(token: string): Promise<AdminPlatformView[]> {
    return firstValueFrom(this.http.get<AdminPlatformView[]>('/api/admin/platforms', this.auth(token)));
  }

  setPlatformActive(token: string, id: string, active: boolean): Promise<unknown> {
    return firstValueFrom(
      this.http.post(
        `/api/admin/platforms/${encodeURIComponent(id)}/${active ? 'enable' : 'disable'}`,
        {},
        this.auth(token),
      ),
    );
  }

  /** Rotates the tool's signing keys; resolves with how many were rotated. */
  async rotateKeys(token: string): Promise<number> {
    const res = await firstValueFrom(
      this.http.post<{ rotated: unknown[] }>('/api/admin/keys/rotate', {}, this.auth(token)),
    );
    return res.rotated.length;
  }

  /** A platform's default attendance thresholds and time zone for its courses. */
  platformAttendance(token: string, id: string): Promise<PlatformAttendanceView> {
    return firstValueFrom(
      this.http.get<PlatformAttendanceView>(
        `/api/admin/platforms/${encodeURIComponent(id)}/attendance`,
        this.auth(token),
      ),
    );
  }

  savePlatformAttendance(token: string, id: string, body: PlatformAttendanceBody): Promise<PlatformAttendanceView> {
    return firstValueFrom(
      this.http.put<PlatformAttendanceView>(
        `/api/admin/platforms/${encodeURIComponent(id)}/attendance`,
        body,
        this.auth(token),
      ),
    );
  }
}
