import { HttpClient, HttpHeaders } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import type { AdminPlatformView } from '@contracts/api';
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
}
