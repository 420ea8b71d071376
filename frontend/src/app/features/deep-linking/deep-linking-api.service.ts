import { HttpClient } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import type { DeepLinkingResponse, DeepLinkingView, NewClassroomChoice } from '@contracts/api';
import { firstValueFrom } from 'rxjs';

@Injectable({ providedIn: 'root' })
export class DeepLinkingApi {
  private readonly http = inject(HttpClient);

  view(): Promise<DeepLinkingView> {
    return firstValueFrom(this.http.get<DeepLinkingView>('/api/deep-linking'));
  }

  respond(choice: NewClassroomChoice | { existingClassroomId: string }): Promise<DeepLinkingResponse> {
    return firstValueFrom(this.http.post<DeepLinkingResponse>('/api/deep-linking/respond', choice));
  }
}
