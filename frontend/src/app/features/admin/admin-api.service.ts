import { HttpClient, HttpHeaders } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import type { AdminPlatformView, RegistrationInviteView } from '@contracts/api';
import type { PlatformAttendanceBody, PlatformAttendanceView } from '@contracts/attendance';
import { firstValueFrom } from 'rxjs';

export interface ManualRegistration {
  issuer: string;
  clientId: string;
  authUrl: string;
  tokenUrl: string;
  jwksUrl: string;
  deployments: string[];
  name?: string;
}

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

  /** A one-time Dynamic Registration URL for one LMS. */
  createInvite(token: string): Promise<RegistrationInviteView> {
    return firstValueFrom(
      this.http.post<RegistrationInviteView>('/api/admin/registration-invites', {}, this.auth(token)),
    );
  }

  /** Registers an LMS by hand (the same checks as `npm run lti:register`). */
  registerPlatform(token: string, body: ManualRegistration): Promise<unknown> {
    return firstValueFrom(this.http.post('/api/admin/platforms', body, this.auth(token)));
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
