import { Logger } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  OnGatewayDisconnect,
  OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
} from '@nestjs/websockets';
import type { Server, Socket } from 'socket.io';
import { roomOf } from '../classroom/socket-rooms';
import type { Ack } from '../contracts/realtime';
import {
  MediaAckData,
  MediaEventName,
  MediaEvents,
  MediaPayload,
  MediaServerEvents,
  mediaSchemas,
} from '../contracts/media';
import type { MediaCaller } from '../contracts/media-host';
import { NotFoundError } from '../platform/domain-error';
import { RateLimiter } from '../platform/rate-limit/rate-limiter';
import { SocketAccess, SocketData, SocketGate } from '../platform/socket-events';
import { HlsHandoff } from './hls-handoff.service';
import { MediaCluster } from './media-cluster.service';
import { MediaService } from './media.service';

/**
 * SFU signalling over the live room's socket (same server, same auth; the person must have joined the
 * class). Thin: validate, resolve the caller, call one MediaService method, ack.
 */
@WebSocketGateway({ path: '/socket.io' })
export class MediaGateway implements OnGatewayInit, OnGatewayDisconnect {
  private readonly logger = new Logger('MediaGateway');
  @WebSocketServer() server: Server;

  constructor(
    private readonly media: MediaService,
    private readonly cluster: MediaCluster,
    private readonly gate: SocketGate,
    private readonly limiter: RateLimiter,
    private readonly handoff: HlsHandoff,
  ) {}

  /** What the media hosted here says to browsers goes out through the socket server (and its Redis adapter). */
  afterInit(server: Server): void {
    this.media.on('toClass', (sessionId, { event, payload }) => void server.to(roomOf(sessionId)).emit(event, payload));
    this.media.on('toSocket', (socketId, { event, payload }) => void server.to(socketId).emit(event, payload));
  }

  handleDisconnect(socket: Socket): void {
    const data = socket.data as SocketData;
    // The slot goes with the socket; the same tab coming back within the grace period claims it again.
    if (data?.mediaPeerId && data.session) void this.limiter.releaseMediaPeer(data.session.userId, data.mediaPeerId);
    if (data?.mediaSessionId)
      void this.cluster
        .call({ op: 'socketDropped', sessionId: data.mediaSessionId, socketId: socket.id })
        .catch((e) => this.logger.warn(`media grace start failed: ${(e as Error).message}`));
  }

  /** Every media event needs an authorised membership; the instructor-only policy needs a teacher. */
  private run<E extends MediaEventName>(
    socket: Socket,
    event: E,
    raw: unknown,
    handler: (p: MediaPayload<E>, caller: MediaCaller, data: SocketData) => Promise<MediaAckData[E]> | MediaAckData[E],
  ): Promise<Ack<MediaAckData[E]>> {
    const access: SocketAccess = event === MediaEvents.policy ? 'teacher' : 'member';
    return this.gate.run(
      socket,
      // A guest speaker sends and receives media like a student (locks hold for them too).
      { event, schema: mediaSchemas[event], access, guests: access === 'member' },
      raw,
      async (payload, { session, member, data }) => {
        const caller: MediaCaller = {
          // The room the socket is in (main or breakout): each has its own router.
          sessionId: member.roomId,
          socketId: socket.id,
          peerId: data.mediaPeerId,
          userId: member.userId,
          name: session.name,
          canTeach: member.canTeach,
        };
        return handler(payload as MediaPayload<E>, caller, data);
      },
    );
  }

  @SubscribeMessage(MediaEvents.join)
  join(@ConnectedSocket() s: Socket, @MessageBody() b: unknown) {
    return this.run(s, MediaEvents.join, b, async ({ peerId }, caller, data) => {
      // A big lecture sends new passive joiners to the HLS broadcast: they do not take a WebRTC seat.
      await this.handoff.requireWebrtc({ ...caller, guest: data.membership?.guest ?? false });
      // A few media peers per person at once (tabs, a phone beside a laptop): MEDIA_PEER_LIMIT past that.
      await this.limiter.acquireMediaPeer(caller.userId, peerId);
      if (data.mediaPeerId && data.mediaPeerId !== peerId)
        await this.limiter.releaseMediaPeer(caller.userId, data.mediaPeerId);
      const joined = await this.cluster.call({ op: 'join', caller, peerId }).catch(async (e: unknown) => {
        await this.limiter.releaseMediaPeer(caller.userId, peerId);
        throw e;
      });
      if (data.membership?.roomId !== caller.sessionId) {
        // Left the class (or was let go) while the host set the peer up: undo it rather than keep media.
        await this.cluster.call({ op: 'leave', caller: { ...caller, peerId } }).catch(() => undefined);
        await this.limiter.releaseMediaPeer(caller.userId, peerId);
        throw new NotFoundError('NOT_IN_ROOM', 'Join the class first');
      }
      data.mediaPeerId = peerId;
      data.mediaSessionId = caller.sessionId;
      return joined;
    });
  }

  @SubscribeMessage(MediaEvents.ready)
  ready(@ConnectedSocket() s: Socket, @MessageBody() b: unknown) {
    return this.run(s, MediaEvents.ready, b, async (p, c) => {
      if (c.peerId) await this.limiter.acquireMediaPeer(c.userId, c.peerId); // renews the slot's lease
      return this.cluster.call({ op: 'ready', caller: c, ...p });
    });
  }

  @SubscribeMessage(MediaEvents.createTransport)
  createTransport(@ConnectedSocket() s: Socket, @MessageBody() b: unknown) {
    return this.run(s, MediaEvents.createTransport, b, (p, c) =>
      this.cluster.call({ op: 'createTransport', caller: c, ...p }),
    );
  }

  @SubscribeMessage(MediaEvents.connectTransport)
  connectTransport(@ConnectedSocket() s: Socket, @MessageBody() b: unknown) {
    return this.run(s, MediaEvents.connectTransport, b, (p, c) =>
      this.cluster.call({ op: 'connectTransport', caller: c, ...p }),
    );
  }

  @SubscribeMessage(MediaEvents.restartIce)
  restartIce(@ConnectedSocket() s: Socket, @MessageBody() b: unknown) {
    return this.run(s, MediaEvents.restartIce, b, async (p, c) => {
      if (c.peerId) await this.limiter.acquireMediaPeer(c.userId, c.peerId); // renews the slot's lease
      return this.cluster.call({ op: 'restartIce', caller: c, ...p });
    });
  }

  @SubscribeMessage(MediaEvents.produce)
  produce(@ConnectedSocket() s: Socket, @MessageBody() b: unknown) {
    return this.run(s, MediaEvents.produce, b, (p, c) => this.cluster.call({ op: 'produce', caller: c, ...p }));
  }

  @SubscribeMessage(MediaEvents.pauseProducer)
  pauseProducer(@ConnectedSocket() s: Socket, @MessageBody() b: unknown) {
    return this.run(s, MediaEvents.pauseProducer, b, (p, c) =>
      this.cluster.call({ op: 'pauseProducer', caller: c, ...p }),
    );
  }

  @SubscribeMessage(MediaEvents.closeProducer)
  closeProducer(@ConnectedSocket() s: Socket, @MessageBody() b: unknown) {
    return this.run(s, MediaEvents.closeProducer, b, (p, c) =>
      this.cluster.call({ op: 'closeProducer', caller: c, ...p }),
    );
  }

  @SubscribeMessage(MediaEvents.consume)
  consume(@ConnectedSocket() s: Socket, @MessageBody() b: unknown) {
    return this.run(s, MediaEvents.consume, b, (p, c) => this.cluster.call({ op: 'consume', caller: c, ...p }));
  }

  @SubscribeMessage(MediaEvents.resumeConsumer)
  resumeConsumer(@ConnectedSocket() s: Socket, @MessageBody() b: unknown) {
    return this.run(s, MediaEvents.resumeConsumer, b, (p, c) =>
      this.cluster.call({ op: 'resumeConsumer', caller: c, ...p }),
    );
  }

  @SubscribeMessage(MediaEvents.setLayers)
  setLayers(@ConnectedSocket() s: Socket, @MessageBody() b: unknown) {
    return this.run(s, MediaEvents.setLayers, b, (p, c) => this.cluster.call({ op: 'setLayers', caller: c, ...p }));
  }

  @SubscribeMessage(MediaEvents.leave)
  leave(@ConnectedSocket() s: Socket, @MessageBody() b: unknown) {
    return this.run(s, MediaEvents.leave, b, async (_p, caller, data) => {
      // The peer's own room, which may be one the socket has since left (a breakout it was moved out of).
      const c = { ...caller, sessionId: data.mediaSessionId ?? caller.sessionId };
      data.mediaPeerId = undefined;
      data.mediaSessionId = undefined;
      if (c.peerId) await this.limiter.releaseMediaPeer(c.userId, c.peerId);
      return this.cluster.call({ op: 'leave', caller: c });
    });
  }

  @SubscribeMessage(MediaEvents.policy)
  setPolicy(@ConnectedSocket() s: Socket, @MessageBody() b: unknown) {
    return this.run(s, MediaEvents.policy, b, async (p, c) => {
      const policy = await this.cluster.call({ op: 'setPolicy', caller: c, policy: p });
      this.server.to(roomOf(c.sessionId)).emit(MediaServerEvents.policyChanged, policy);
      return policy;
    });
  }
}
