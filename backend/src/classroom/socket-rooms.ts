/** Socket.io room names of the live room (shared by its gateways). */
export const roomOf = (sessionId: string) => `room:${sessionId}`;
export const userRoomOf = (sessionId: string, userId: string) => `user:${sessionId}:${userId}`;
/** The class a room name belongs to (`room:<sessionId>`), or null for any other room. */
export const sessionOfRoom = (room: string) => (room.startsWith('room:') ? room.slice(5) : null);
/** Everyone in the class, whichever of its rooms (main or breakout) they are in: its end, breakout announcements. */
export const classOf = (sessionId: string) => `class:${sessionId}`;
/** The class's instructors (the waiting list goes to them only). */
export const teachersRoomOf = (sessionId: string) => `teachers:${sessionId}`;
/** One person's sockets waiting to be let into a class (not in the class's rooms). */
export const waitRoomOf = (sessionId: string, userId: string) => `waiting:${sessionId}:${userId}`;
/** Every socket waiting to be let into a class (told when the class ends). */
export const waitersOf = (sessionId: string) => `waiters:${sessionId}`;
