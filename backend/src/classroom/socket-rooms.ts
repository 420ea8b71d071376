/** Socket.io room names of the live room (shared by its gateways). */
export const roomOf = (sessionId: string) => `room:${sessionId}`;
export const userRoomOf = (sessionId: string, userId: string) => `user:${sessionId}:${userId}`;
