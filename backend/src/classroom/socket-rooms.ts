/** Socket.io room names of the live room (shared by its gateways). */
export const roomOf = (sessionId: string) => `room:${sessionId}`;
export const userRoomOf = (sessionId: string, userId: string) => `user:${sessionId}:${userId}`;
/** The class a room name belongs to (`room:<sessionId>`), or null for any other room. */
export const sessionOfRoom = (room: string) => (room.startsWith('room:') ? room.slice(5) : null);
