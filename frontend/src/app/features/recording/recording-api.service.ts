import { HttpClient, HttpHeaders } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import type { ClassroomRecordingSettings, PlatformRecordingSettings } from '@contracts/recording';
import { firstValueFrom } from 'rxjs';

/** The recording switches: the classroom's (its instructors, with the session token) and a platform's (the operator's token). */
@Injectable({ providedIn: 'root' })
export class RecordingApi {
  private readonly http = inject(HttpClient);

  classroom(): Promise<ClassroomRecordingSettings> {
    return firstValueFrom(this.http.get<ClassroomRecordingSettings>('/api/recording/settings'));
  }

  setClassroom(enabled: boolean | null): Promise<ClassroomRecordingSettings> {
    return firstValueFrom(this.http.put<ClassroomRecordingSettings>('/api/recording/settings', { enabled }));
  }

  private admin(token: string) {
    return { headers: new HttpHeaders({ Authorization: `Bearer ${token}` }) };
  }

  platform(token: string, id: string): Promise<PlatformRecordingSettings> {
    return firstValueFrom(
      this.http.get<PlatformRecordingSettings>(
        `/api/admin/platforms/${encodeURIComponent(id)}/recording`,
        this.admin(token),
      ),
    );
  }

  setPlatform(token: string, id: string, settings: PlatformRecordingSettings): Promise<PlatformRecordingSettings> {
    return firstValueFrom(
      this.http.put<PlatformRecordingSettings>(
        `/api/admin/platforms/${encodeURIComponent(id)}/recording`,
        settings,
        this.admin(token),
      ),
    );
  }
}
