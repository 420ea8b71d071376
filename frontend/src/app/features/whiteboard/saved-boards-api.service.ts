import { HttpClient } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import type { PageData } from '@whiteboard-domain/board';
import { firstValueFrom } from 'rxjs';

// The HTTP shapes of saved boards; they belong in contracts/ beside the whiteboard's socket contract.
/** A past class of this course whose board was saved. */
export interface SavedBoardSummary {
  sessionId: string;
  startedAt: string;
  pages: number;
}

/** A saved board: every page, as the class left it. */
export interface SavedBoard {
  seq: number;
  order: string[];
  pages: Record<string, PageData>;
  savedAt: string;
}

/** The boards of past classes, read-only. */
@Injectable({ providedIn: 'root' })
export class SavedBoardsApi {
  private readonly http = inject(HttpClient);

  list(): Promise<SavedBoardSummary[]> {
    return firstValueFrom(this.http.get<SavedBoardSummary[]>('/api/whiteboard/sessions'));
  }

  board(sessionId: string): Promise<SavedBoard> {
    return firstValueFrom(this.http.get<SavedBoard>(`/api/whiteboard/sessions/${encodeURIComponent(sessionId)}`));
  }
}
