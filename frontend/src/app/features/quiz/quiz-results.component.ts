import { DecimalPipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, inject, OnInit, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import { TranslocoPipe, TranslocoService } from '@jsverse/transloco';
import { ErrorNoticeComponent } from '../../core/error-notice.component';
import { LanguageService, LocalTimePipe } from '../../core/i18n/i18n';
import type { QuizResults, QuizSummary, StudentAnswerRow } from '@contracts/quiz';
import { ShownError, toShownError } from '../../core/api-error';
import { questionChart } from './quiz-chart';
import { QuizChartComponent } from './quiz-chart.component';
import { rightAnswerText, type Translate } from './question-form';
import { QuizApi } from './quiz-api.service';
import { ClassroomApi } from '../classroom/classroom-api.service';
import { answerText, csvFileName, markText } from './results-view';

/** After class: this classroom's quizzes, each one's results per question and per student, CSV, short answers marked by hand. */
@Component({
  selector: 'app-quiz-results',
  imports: [DecimalPipe, RouterLink, QuizChartComponent, TranslocoPipe, LocalTimePipe, ErrorNoticeComponent],
  templateUrl: './quiz-results.component.html',
  styleUrl: './quiz-results.component.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class QuizResultsComponent implements OnInit {
  private readonly api = inject(QuizApi);
  protected readonly quizzes = signal<QuizSummary[] | null>(null);
  protected readonly results = signal<QuizResults | null>(null);
  protected readonly error = signal<ShownError | null>(null);
  protected readonly busy = signal(false);
  /** The course's time zone (launch times are shown in it); UTC until the lobby says. */
  protected readonly zone = signal('UTC');
  private readonly classroom = inject(ClassroomApi);
  private readonly i18n = inject(TranslocoService);
  private readonly language = inject(LanguageService);
  private readonly t: Translate = (key, params) => (this.language.current(), this.i18n.translate(key, params));
  protected readonly answerText = (a: Parameters<typeof answerText>[0], q: Parameters<typeof answerText>[1]) =>
    answerText(a, q, this.t);
  protected readonly markText = markText;

  protected readonly questions = computed(() => {
    const r = this.results();
    if (!r) return [];
    return r.questions.map(({ question, tally }, i) => ({
      id: question.id,
      n: i + 1,
      question,
      prompt: question.prompt,
      right: rightAnswerText(question, this.t),
      chart: questionChart(tally, null, true, this.t),
    }));
  });
  /** Per student, their answer to each question in the questions' order (undefined: none). */
  protected readonly rows = computed(() => {
    const r = this.results();
    if (!r) return [];
    return r.students.map((s) => {
      const byQuestion = new Map(s.answers.map((a) => [a.questionId, a]));
      return { ...s, cells: r.questions.map(({ question }) => ({ question, answer: byQuestion.get(question.id) })) };
    });
  });

  async ngOnInit(): Promise<void> {
    void this.classroom.lobby().then(
      (l) => this.zone.set(l.course.timeZone),
      () => undefined,
    );
    await this.act(async () => this.quizzes.set(await this.api.quizzes()));
  }

  protected open(id: string) {
    return this.act(async () => this.results.set(await this.api.results(id)));
  }

  protected async download() {
    const r = this.results();
    if (!r) return;
    await this.act(async () => {
      const blob = await this.api.resultsCsv(r.quiz.id);
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = csvFileName(r.quiz.title, r.quiz.launchedAt);
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    });
  }

  /** Right, wrong, or back to the automatic mark; the student's score (and the LMS's, once closed) follows. */
  protected mark(userId: string, row: StudentAnswerRow, correct: boolean | null) {
    return this.act(async () => {
      const m = await this.api.mark(row.answerId, correct);
      this.results.update(
        (r) =>
          r && {
            ...r,
            students: r.students.map((s) =>
              s.userId !== userId
                ? s
                : {
                    ...s,
                    score: m.score,
                    answers: s.answers.map((a) =>
                      a.answerId === m.answerId ? { ...a, fraction: m.fraction, markedCorrect: correct } : a,
                    ),
                  },
            ),
          },
      );
    });
  }

  private async act(fn: () => Promise<void>) {
    this.busy.set(true);
    try {
      await fn();
      this.error.set(null);
    } catch (e) {
      this.error.set(toShownError(e));
    } finally {
      this.busy.set(false);
    }
  }
}
