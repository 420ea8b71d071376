import { HttpClient } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import type { BankQuestion, MarkResult, QuestionDraft, QuizResults, QuizSummary } from '@contracts/quiz';
import { firstValueFrom } from 'rxjs';

const q = (id: string) => encodeURIComponent(id);

/** The quiz feature over HTTP: the course's question bank, the classroom's quizzes and their results, marking by hand. */
@Injectable({ providedIn: 'root' })
export class QuizApi {
  private readonly http = inject(HttpClient);

  questions(): Promise<BankQuestion[]> {
    return firstValueFrom(this.http.get<BankQuestion[]>('/api/quiz/questions'));
  }

  createQuestion(draft: QuestionDraft): Promise<BankQuestion> {
    return firstValueFrom(this.http.post<BankQuestion>('/api/quiz/questions', draft));
  }

  updateQuestion(id: string, draft: QuestionDraft): Promise<BankQuestion> {
    return firstValueFrom(this.http.put<BankQuestion>(`/api/quiz/questions/${q(id)}`, draft));
  }

  deleteQuestion(id: string): Promise<unknown> {
    return firstValueFrom(this.http.delete(`/api/quiz/questions/${q(id)}`));
  }

  quizzes(): Promise<QuizSummary[]> {
    return firstValueFrom(this.http.get<QuizSummary[]>('/api/quiz/quizzes'));
  }

  results(quizId: string): Promise<QuizResults> {
    return firstValueFrom(this.http.get<QuizResults>(`/api/quiz/quizzes/${q(quizId)}/results`));
  }

  /** The results as a CSV file (fetched with the session's token, then handed to the browser as a download). */
  resultsCsv(quizId: string): Promise<Blob> {
    return firstValueFrom(this.http.get(`/api/quiz/quizzes/${q(quizId)}/results.csv`, { responseType: 'blob' }));
  }

  /** Right, wrong, or null to go back to the automatic mark. */
  mark(answerId: string, correct: boolean | null): Promise<MarkResult> {
    return firstValueFrom(this.http.put<MarkResult>(`/api/quiz/answers/${q(answerId)}/mark`, { correct }));
  }
}
