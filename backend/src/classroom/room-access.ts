import { ClientEventName, ClientEvents } from '../contracts/realtime';
import type { SocketAccess } from '../platform/socket-events';

/**
 * Who may send each room event (the gate checks it before the handler runs), and whether a guest (invite
 * link) may: only joining, leaving, chat, a hand, their media flags and asking to unmute.
 */
export const ROOM_ACCESS: Record<ClientEventName, { access: SocketAccess; guests?: true }> = {
  [ClientEvents.join]: { access: 'connected', guests: true },
  [ClientEvents.leave]: { access: 'connected', guests: true },
  [ClientEvents.chatSend]: { access: 'member', guests: true },
  [ClientEvents.chatDelete]: { access: 'teacher' },
  [ClientEvents.hand]: { access: 'member', guests: true },
  [ClientEvents.media]: { access: 'member', guests: true },
  [ClientEvents.teacherMute]: { access: 'teacher' },
  [ClientEvents.teacherMuteAll]: { access: 'teacher' },
  [ClientEvents.teacherStopCamera]: { access: 'teacher' },
  [ClientEvents.teacherRemove]: { access: 'teacher' },
  [ClientEvents.teacherEndClass]: { access: 'teacher' },
  [ClientEvents.teacherAdmit]: { access: 'teacher' },
  [ClientEvents.teacherDeny]: { access: 'teacher' },
  [ClientEvents.teacherWaitingRoom]: { access: 'teacher' },
  [ClientEvents.teacherLocks]: { access: 'teacher' },
  [ClientEvents.teacherAllowUnmute]: { access: 'teacher' },
  [ClientEvents.teacherLowerHand]: { access: 'teacher' },
  [ClientEvents.teacherAllowCamera]: { access: 'teacher' },
  [ClientEvents.askUnmute]: { access: 'member', guests: true },
};
