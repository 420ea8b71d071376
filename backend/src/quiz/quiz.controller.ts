import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { z } from 'zod';
import { markBodySchema, questionBodySchema } from '../contracts/quiz';
import { Session, SessionGuard } from '../platform/auth/session.guard';
import type { SessionClaims } from '../platform/auth/session-token';
import { ForbiddenError } from '../platform/domain-error';
import { parseInput } from '../platform/validation';
import { canTeach } from '../tenancy/domain/role-mapping';
import { RESULTS_CSV_WORDS, resultsCsv } from './domain/results-csv';
import { QuizResultsService } from './quiz-results.service';

const requireTeacher = (s: SessionClaims) => {
  if (!canTeach(s.role)) throw new ForbiddenError('TEACHER_ONLY', 'Only instructors can do this');
};
const id = z.uuid();

/** The question bank and results after class (instructors; tenant-scoped by the session's course). */
@Controller('api/quiz')
@UseGuards(SessionGuard)
export class QuizController {
  constructor(private readonly results: QuizResultsService) {}

  @Get('questions')
  bank(@Session() s: SessionClaims) {
    requireTeacher(s);
    return this.results.bank(s);
  }

  @Post('questions')
  addQuestion(@Session() s: SessionClaims, @Body() body: unknown) {
    requireTeacher(s);
    return this.results.addQuestion(s, parseInput(questionBodySchema, body));
  }

  @Put('questions/:id')
  updateQuestion(@Session() s: SessionClaims, @Param('id') qid: string, @Body() body: unknown) {
    requireTeacher(s);
    return this.results.updateQuestion(s, parseInput(id, qid), parseInput(questionBodySchema, body));
  }

  @Delete('questions/:id')
  @HttpCode(204)
  async deleteQuestion(@Session() s: SessionClaims, @Param('id') qid: string) {
    requireTeacher(s);
    await this.results.deleteQuestion(s, parseInput(id, qid));
  }

  @Get('quizzes')
  list(@Session() s: SessionClaims) {
    requireTeacher(s);
    return this.results.list(s);
  }

  @Get('quizzes/:id/results')
  quizResults(@Session() s: SessionClaims, @Param('id') quizId: string) {
    requireTeacher(s);
    return this.results.results(s, parseInput(id, quizId));
  }

  @Get('quizzes/:id/results.csv')
  async csv(@Session() s: SessionClaims, @Param('id') quizId: string, @Res() res: Response) {
    requireTeacher(s);
    const r = await this.results.results(s, parseInput(id, quizId));
    const lang = await this.results.languageOf(s.userId);
    res
      .status(200)
      .setHeader('Content-Type', 'text/csv; charset=utf-8')
      .setHeader('Content-Disposition', `attachment; filename="quiz-${r.quiz.id}.csv"`)
      .send(resultsCsv(r, RESULTS_CSV_WORDS[lang]));
  }

  @Put('answers/:id/mark')
  mark(@Session() s: SessionClaims, @Param('id') answerId: string, @Body() body: unknown) {
    requireTeacher(s);
    return this.results.mark(s, parseInput(id, answerId), parseInput(markBodySchema, body).correct);
  }
}
