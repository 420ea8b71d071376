/**
 * Live quizzes and polls on the live room's socket, and the question bank and results over HTTP: every
 * event, payload, ack and body in one place. Nothing here depends on WebRTC: a viewer of the class's
 * broadcast answers over the same socket. See backend/src/quiz/PROTOCOL.md.
 */
import { z } from 'zod';

export const QUIZ_LIMITS = {
  promptLength: 1_000,
  optionLength: 200,
  options: 10,
  acceptedAnswers: 20,
  /** Questions in one quiz (bank questions plus questions typed in class). */
  questions: 30,
  /** Questions typed in class and launched at once (each is saved to the course's bank). */
  newQuestions: 10,
  titleLength: 200,
  shortAnswerLength: 200,
  timeLimitSeconds: { min: 5, max: 3_600 },
  points: 10_000,
  /** Groups of a short or numeric answer's chart; the rest are summed into one "other" bar. */
  bars: 20,
} as const;

const uuid = z.uuid();
const prompt = z.string().trim().min(1).max(QUIZ_LIMITS.promptLength);
const option = z.string().trim().min(1).max(QUIZ_LIMITS.optionLength);
const options = z.array(option).min(2).max(QUIZ_LIMITS.options);
const index = z
  .number()
  .int()
  .min(0)
  .max(QUIZ_LIMITS.options - 1);
const finite = z.number().finite().min(-1e12).max(1e12);

export const questionTypes = ['single', 'multiple', 'true_false', 'short', 'numeric', 'poll'] as const;
export type QuestionType = (typeof questionTypes)[number];

/**
 * A question as the instructor writes it (with its right answer). A poll has no right answer.
 * Multiple choice scores (right options picked - wrong options picked) / right options, at least 0.
 */
export const questionDraftSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('single'), prompt, options, correct: index }).strict(),
  z
    .object({ type: z.literal('multiple'), prompt, options, correct: z.array(index).min(1).max(QUIZ_LIMITS.options) })
    .strict(),
  z.object({ type: z.literal('true_false'), prompt, correct: z.boolean() }).strict(),
  z
    .object({
      type: z.literal('short'),
      prompt,
      accepted: z
        .array(z.string().trim().min(1).max(QUIZ_LIMITS.shortAnswerLength))
        .min(1)
        .max(QUIZ_LIMITS.acceptedAnswers),
    })
    .strict(),
  z
    .object({ type: z.literal('numeric'), prompt, value: finite, tolerance: z.number().finite().min(0).max(1e12) })
    .strict(),
  z.object({ type: z.literal('poll'), prompt, options, multiple: z.boolean().default(false) }).strict(),
]);
export type QuestionDraft = z.infer<typeof questionDraftSchema>;

/** An answer as a student sends it: its `type` must be its question's type. */
export const answerSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('single'), choice: index }).strict(),
  z.object({ type: z.literal('multiple'), choices: z.array(index).max(QUIZ_LIMITS.options) }).strict(),
  z.object({ type: z.literal('true_false'), value: z.boolean() }).strict(),
  z.object({ type: z.literal('short'), text: z.string().max(QUIZ_LIMITS.shortAnswerLength) }).strict(),
  z.object({ type: z.literal('numeric'), value: finite }).strict(),
  z.object({ type: z.literal('poll'), choices: z.array(index).min(1).max(QUIZ_LIMITS.options) }).strict(),
]);
export type QuizAnswer = z.infer<typeof answerSchema>;

export const launchSchema = z
  .object({
    title: z.string().trim().min(1).max(QUIZ_LIMITS.titleLength),
    /** Questions of the course's bank, in this order (QUESTION_NOT_FOUND if one is not the course's). */
    questionIds: z.array(uuid).max(QUIZ_LIMITS.questions).default([]),
    /** Questions typed in class: saved to the bank, then asked after `questionIds`. */
    newQuestions: z.array(questionDraftSchema).max(QUIZ_LIMITS.newQuestions).default([]),
    /** Closes by itself after this long (a job, so it closes even if this server dies); none: closed by hand. */
    timeLimitSeconds: z
      .number()
      .int()
      .min(QUIZ_LIMITS.timeLimitSeconds.min)
      .max(QUIZ_LIMITS.timeLimitSeconds.max)
      .optional(),
    /** A column of its own in the LMS gradebook, posted when the quiz closes. */
    graded: z.boolean().default(false),
    /** The column's maximum; default: the classroom's quiz points (deep linking), else one per question. */
    points: z.number().positive().max(QUIZ_LIMITS.points).optional(),
    /** Present students who answered nothing get 0 (otherwise no grade); absent students never get one. */
    zeroForUnanswered: z.boolean().default(false),
    /** A student may change an answer until the quiz closes. */
    allowChange: z.boolean().default(false),
    /** Only for quizzes made of polls: no one, not even the instructor, sees who answered what. */
    anonymous: z.boolean().default(false),
  })
  .strict()
  .refine((l) => l.questionIds.length + l.newQuestions.length >= 1, 'a quiz needs at least one question')
  .refine(
    (l) => l.questionIds.length + l.newQuestions.length <= QUIZ_LIMITS.questions,
    `a quiz has at most ${QUIZ_LIMITS.questions} questions`,
  )
  .refine((l) => new Set(l.questionIds).size === l.questionIds.length, 'a question is asked once per quiz');

export const QuizEvents = {
  launch: 'quiz:launch',
  answer: 'quiz:answer',
  close: 'quiz:close',
  reveal: 'quiz:reveal',
  sync: 'quiz:sync',
  results: 'quiz:results',
} as const;

export const QuizServerEvents = {
  /** A quiz started: the student view to students, the teacher view to instructors. */
  launched: 'quiz:launched',
  /** Live chart (instructors only): counts per option, answered out of present. */
  tally: 'quiz:tally',
  closed: 'quiz:closed',
  /** Results and right answers, to the whole class. */
  revealed: 'quiz:revealed',
  /** One student's own result (their own connections only): at reveal, and again when re-marked after it. */
  result: 'quiz:result',
} as const;

const quizRef = z.object({ quizId: uuid }).strict();

export const quizSchemas = {
  [QuizEvents.launch]: launchSchema,
  [QuizEvents.answer]: z.object({ quizId: uuid, questionId: uuid, answer: answerSchema }).strict(),
  [QuizEvents.close]: quizRef,
  [QuizEvents.reveal]: quizRef,
  [QuizEvents.sync]: z.object({}).strict(),
  [QuizEvents.results]: quizRef,
} as const;

export type QuizEventName = (typeof QuizEvents)[keyof typeof QuizEvents];
export type QuizPayload<E extends QuizEventName> = z.input<(typeof quizSchemas)[E]>;

/** What a student sees of a question: no right answer. */
export interface StudentQuestion {
  id: string;
  type: QuestionType;
  prompt: string;
  /** Choice and poll questions. */
  options?: string[];
  /** Polls: several options may be picked. */
  multiple?: boolean;
}

/** A question with its right answer (instructors; students once revealed). */
export type TeacherQuestion = QuestionDraft & { id: string };

export interface TallyBar {
  /** The option index, `true`/`false`, or the normalised short or numeric answer; `other` sums the rest. */
  key: string;
  label: string;
  /** A true/false question's bars: which word the app shows in its own language (label is the English). */
  term?: 'true' | 'false';
  count: number;
  /** Whether this bar is a right answer (instructors, and everyone after reveal; absent for polls). */
  correct?: boolean;
}

export interface QuestionTally {
  questionId: string;
  /** Students who answered this question. */
  answered: number;
  bars: TallyBar[];
}

export interface QuizTally {
  quizId: string;
  /** Students in the class now. */
  present: number;
  /** Students who answered at least one question. */
  answered: number;
  questions: QuestionTally[];
}

interface QuizCommon {
  id: string;
  title: string;
  sessionId: string;
  launchedAt: string;
  /** When the time limit ends (null: closed by hand). */
  closesAt: string | null;
  closedAt: string | null;
  revealedAt: string | null;
  graded: boolean;
  points: number;
  allowChange: boolean;
  anonymous: boolean;
  /** The server's clock when this was sent, for a countdown that is right on a skewed device. */
  serverNow: string;
}

/** The caller's own answer to one question. */
export interface MyAnswer {
  questionId: string;
  answer: QuizAnswer;
  answeredAt: string;
}

export interface QuizStudentView extends QuizCommon {
  questions: StudentQuestion[];
  mine: MyAnswer[];
  /** Once revealed. */
  revealed: QuizRevealed | null;
  result: QuizResult | null;
}

export interface QuizTeacherView extends QuizCommon {
  zeroForUnanswered: boolean;
  questions: TeacherQuestion[];
  tally: QuizTally;
}

export type QuizView = { role: 'student'; quiz: QuizStudentView } | { role: 'teacher'; quiz: QuizTeacherView };

export interface QuizRevealed {
  quizId: string;
  revealedAt: string;
  questions: Array<{ question: TeacherQuestion; tally: QuestionTally }>;
}

/** A student's own score: per question a fraction 0..1 (null: not answered); the quiz's score out of points. */
export interface QuizResult {
  quizId: string;
  score: number;
  points: number;
  questions: Array<{ questionId: string; fraction: number | null }>;
}

export interface AnswerReceipt {
  quizId: string;
  questionId: string;
  receivedAt: string;
  /** From launch to this answer. */
  answerMs: number;
  /** An earlier answer was replaced (allowChange). */
  changed: boolean;
}

/** What each client event's ack carries when it succeeds. */
export interface QuizAckData {
  [QuizEvents.launch]: QuizTeacherView;
  [QuizEvents.answer]: AnswerReceipt;
  /** Closing twice answers the first close. */
  [QuizEvents.close]: { quizId: string; closedAt: string };
  [QuizEvents.reveal]: { quizId: string; revealedAt: string };
  /** The class's open quizzes and those closed in this class, newest first, as the caller may see them. */
  [QuizEvents.sync]: { serverNow: string; quizzes: QuizView[] };
  [QuizEvents.results]: QuizTeacherView;
}

export interface QuizServerPayloads {
  [QuizServerEvents.launched]: QuizView;
  [QuizServerEvents.tally]: QuizTally;
  [QuizServerEvents.closed]: { quizId: string; closedAt: string; reason: 'teacher' | 'time' };
  [QuizServerEvents.revealed]: QuizRevealed;
  [QuizServerEvents.result]: QuizResult;
}

export const QuizErrors = {
  quizNotFound: 'QUIZ_NOT_FOUND',
  quizClosed: 'QUIZ_CLOSED',
  quizAlreadyOpen: 'QUIZ_ALREADY_OPEN',
  alreadyAnswered: 'ALREADY_ANSWERED',
  questionNotFound: 'QUESTION_NOT_FOUND',
  questionNotInQuiz: 'QUESTION_NOT_IN_QUIZ',
  answerTypeMismatch: 'ANSWER_TYPE_MISMATCH',
  optionOutOfRange: 'OPTION_OUT_OF_RANGE',
  studentsOnly: 'STUDENTS_ONLY',
  anonymousNeedsPolls: 'ANONYMOUS_NEEDS_POLLS',
  answerNotFound: 'ANSWER_NOT_FOUND',
  notRemarkable: 'NOT_REMARKABLE',
} as const;

// ---- HTTP (question bank, results, re-marking): bodies and answers ----

/** POST /api/quiz/questions and PUT /api/quiz/questions/:id. */
export const questionBodySchema = questionDraftSchema;
/** PUT /api/quiz/answers/:answerId/mark: right, wrong, or null to go back to the automatic mark. */
export const markBodySchema = z.object({ correct: z.boolean().nullable() }).strict();

export interface BankQuestion {
  id: string;
  question: TeacherQuestion;
  createdAt: string;
  updatedAt: string;
}

export interface QuizSummary {
  id: string;
  title: string;
  sessionId: string;
  launchedAt: string;
  closedAt: string | null;
  graded: boolean;
  points: number;
  anonymous: boolean;
  questions: number;
  /** Students who answered at least one question. */
  answered: number;
}

export interface StudentAnswerRow {
  answerId: string;
  questionId: string;
  answer: QuizAnswer;
  /** 0..1 as marked (null for a poll). */
  fraction: number | null;
  /** The instructor's mark by hand, if any (it overrides the automatic one). */
  markedCorrect: boolean | null;
  answerMs: number;
}

export interface StudentResultRow {
  userId: string;
  name: string;
  present: boolean;
  /** Null: no grade (absent, or unanswered without the zero rule). */
  score: number | null;
  answers: StudentAnswerRow[];
}

/** GET /api/quiz/quizzes/:id/results (CSV: GET /api/quiz/quizzes/:id/results.csv). Anonymous quizzes list no students. */
export interface QuizResults {
  quiz: QuizSummary & { zeroForUnanswered: boolean };
  questions: Array<{ question: TeacherQuestion; tally: QuestionTally }>;
  students: StudentResultRow[];
}

/** PUT /api/quiz/answers/:answerId/mark answers the re-marked answer and the student's new score. */
export interface MarkResult {
  answerId: string;
  fraction: number;
  score: number | null;
}
