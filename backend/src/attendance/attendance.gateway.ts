import { Logger } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  OnGatewayDisconnect,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import type { Socket } from 'socket.io';
import { AttendanceEvents, attendanceSchemas, type AttendanceAckData } from '../contracts/attendance';
import { SocketAccess, SocketGate, type ClassMembership } from '../platform/socket-events';
import { AttendanceService } from './attendance.service';

const rule = <E extends keyof typeof attendanceSchemas>(event: E, access: SocketAccess) => ({
  event,
  schema: attendanceSchemas[event],
  access,
});
const RULES = { visibility: rule(AttendanceEvents.visibility, 'member') };

/**
 * Page Visibility reports over the live room's socket (member access through the gate). A tab that
 * closes while visible is recorded hidden at its disconnect; this instance remembers which of its
 * sockets last said visible (a cache: Postgres holds the truth).
 */
@WebSocketGateway({ path: '/socket.io' })
export class AttendanceGateway implements OnGatewayDisconnect {
  private readonly logger = new Logger('AttendanceGateway');
  private readonly visibleTabs = new Map<string, ClassMembership>();

  constructor(
    private readonly attendance: AttendanceService,
    private readonly gate: SocketGate,
  ) {}

  @SubscribeMessage(AttendanceEvents.visibility)
  visibility(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return this.gate.run(
      socket,
      RULES.visibility,
      body,
      async ({ visible }, { member }): Promise<AttendanceAckData[typeof AttendanceEvents.visibility]> => {
        if (visible) this.visibleTabs.set(socket.id, member);
        else this.visibleTabs.delete(socket.id);
        return this.attendance.visibility(member, socket.id, visible);
      },
    );
  }

  async handleDisconnect(socket: Socket): Promise<void> {
    const member = this.visibleTabs.get(socket.id);
    if (!member) return;
    this.visibleTabs.delete(socket.id);
    await this.attendance
      .visibility(member, socket.id, false)
      .catch((e) => this.logger.warn(`closing a tab's visibility failed: ${(e as Error).message}`));
  }
}
