import { Injectable } from '@nestjs/common';
import { ChatService } from '../chat/chat.service';
import type { BreakoutPlanBody, BreakoutPlanView, BreakoutRoomRecord } from '../contracts/breakout';
import { classroomOf, type SessionClaims } from '../platform/auth/session-token';
import { NotFoundError } from '../platform/domain-error';
import { BreakoutRepository, type BreakoutPlanRow } from './infra/breakout.repository';

const view = (p: BreakoutPlanRow): BreakoutPlanView => ({
  id: p.id,
  name: p.name,
  rooms: p.rooms.map((r) => ({ name: r.name, userIds: [...r.userIds] })),
  updatedAt: p.updatedAt.toISOString(),
});

/** Plans per course (reusable across classes) and what each breakout room left after class. */
@Injectable()
export class BreakoutPlansService {
  constructor(
    private readonly repo: BreakoutRepository,
    private readonly chat: ChatService,
  ) {}

  async list(s: SessionClaims): Promise<BreakoutPlanView[]> {
    return (await this.repo.plans(s.courseId)).map(view);
  }

  async create(s: SessionClaims, body: BreakoutPlanBody): Promise<BreakoutPlanView> {
    return view(await this.repo.createPlan(s.courseId, s.userId, body.name, body.rooms));
  }

  async update(s: SessionClaims, id: string, body: BreakoutPlanBody): Promise<BreakoutPlanView> {
    const row = await this.repo.updatePlan(id, s.courseId, body.name, body.rooms);
    if (!row) throw new NotFoundError('PLAN_NOT_FOUND', 'No such plan in this course');
    return view(row);
  }

  async remove(s: SessionClaims, id: string): Promise<void> {
    if (!(await this.repo.deletePlan(id, s.courseId)))
      throw new NotFoundError('PLAN_NOT_FOUND', 'No such plan in this course');
  }

  /** Anyone of the classroom who was not removed from the class reads its rooms' chats; boards open at the saved-board page. */
  async rooms(s: SessionClaims, sessionId: string): Promise<BreakoutRoomRecord[]> {
    if (!(await this.repo.mayRead(sessionId, s.courseId, classroomOf(s), s.userId)))
      throw new NotFoundError('SESSION_NOT_FOUND', 'No such class in your classroom');
    const rooms = await this.repo.roomsOf(sessionId, s.courseId);
    return Promise.all(
      rooms.map(async (r) => ({
        id: r.id,
        name: r.name,
        openedAt: r.openedAt.toISOString(),
        closedAt: r.closedAt?.toISOString() ?? null,
        hasBoard: r.hasBoard,
        chat: (await this.chat.history(r.id)).map((m) => ({ authorName: m.authorName, text: m.text, at: m.sentAt })),
      })),
    );
  }
}
