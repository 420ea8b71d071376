import { Logger } from '@nestjs/common';
import { ConnectedSocket, MessageBody, OnGatewayDisconnect, OnGatewayInit, SubscribeMessage, WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import type { Server, Socket } from 'socket.io';
import { roomOf } from '../classroom/socket-rooms';
import type { Ack } from '../contracts/realtime';
import { MediaAckData, MediaEventName, MediaEvents, MediaPayload, MediaPolicy, mediaSchemas } from '../contracts/media';
import { NotFoundError } from '../platform/domain-error';
import { SocketAccess, SocketData, SocketGate } from '../platform/socket-events';
import { MediaCluster, MediaMethod } from './media-cluster.service';
import { MediaCaller, MediaService } from './media.service';

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
  ) {}

  afterInit(server: Server): void {
    this.media.notifier = {
      toRoom: (sessionId, event, payload) => void server.to(roomOf(sessionId)).emit(event, payload),
      toSocket: (socketId, event, payload) => void server.to(socketId).emit(event, payload),
    };
  }

  handleDisconnect(socket: Socket): void {
    const data = socket.data as SocketData;
    if (data?.mediaSessionId) void this.cluster.call(data.mediaSessionId, 'socketDropped', [socket.id]).catch((e) => this.logger.warn(`media grace start failed: ${(e as Error).message}`));
  }

  /** Runs a MediaService method where the class's media is hosted (this instance or another). */
  private host<T>(c: MediaCaller, method: MediaMethod, ...args: unknown[]): Promise<T> {
    return this.cluster.call<T>(c.sessionId, method, [c, ...args]);
  }

  /** Every media event needs an authorised membership; the instructor-only policy needs a teacher. */
  private run<E extends MediaEventName>(socket: Socket, event: E, raw: unknown, handler: (p: MediaPayload<E>, caller: MediaCaller, data: SocketData) => Promise<MediaAckData[E]> | MediaAckData[E]): Promise<Ack<MediaAckData[E]>> {
    const access: SocketAccess = event === MediaEvents.policy ? 'teacher' : 'member';
    return this.gate.run(socket, { event, schema: mediaSchemas[event], access }, raw, async (payload, { session, member, data }) => {
      return handler(payload as MediaPayload<E>, { session, sessionId: member.sessionId, socketId: socket.id, peerId: data.mediaPeerId }, data);
    });
  }

  @SubscribeMessage(MediaEvents.join)
  join(@ConnectedSocket() s: Socket, @MessageBody() b: unknown) {
    return this.run(s, MediaEvents.join, b, async ({ peerId }, caller, data) => {
      const joined = await this.host<MediaAckData[typeof MediaEvents.join]>(caller, 'join', peerId);
      if (data.membership?.sessionId !== caller.sessionId) {
        // Left the class (or was let go) while the host set the peer up: undo it rather than keep media.
        await this.host<null>({ ...caller, peerId }, 'leave').catch(() => undefined);
        throw new NotFoundError('NOT_IN_ROOM', 'Join the class first');
      }
      data.mediaPeerId = peerId;
      data.mediaSessionId = caller.sessionId;
      return joined;
    });
  }

  @SubscribeMessage(MediaEvents.ready)
  ready(@ConnectedSocket() s: Socket, @MessageBody() b: unknown) {
    return this.run(s, MediaEvents.ready, b, (p, c) => this.host(c, 'ready', p.rtpCapabilities));
  }

  @SubscribeMessage(MediaEvents.createTransport)
  createTransport(@ConnectedSocket() s: Socket, @MessageBody() b: unknown) {
    return this.run(s, MediaEvents.createTransport, b, (p, c) => this.host(c, 'createTransport', p.direction));
  }

  @SubscribeMessage(MediaEvents.connectTransport)
  connectTransport(@ConnectedSocket() s: Socket, @MessageBody() b: unknown) {
    return this.run(s, MediaEvents.connectTransport, b, (p, c) => this.host(c, 'connectTransport', p.transportId, p.dtlsParameters));
  }

  @SubscribeMessage(MediaEvents.restartIce)
  restartIce(@ConnectedSocket() s: Socket, @MessageBody() b: unknown) {
    return this.run(s, MediaEvents.restartIce, b, (p, c) => this.host(c, 'restartIce', p.transportId));
  }

  @SubscribeMessage(MediaEvents.produce)
  produce(@ConnectedSocket() s: Socket, @MessageBody() b: unknown) {
    return this.run(s, MediaEvents.produce, b, (p, c) => this.host(c, 'produce', p.transportId, p.kind, p.source, p.rtpParameters));
  }

  @SubscribeMessage(MediaEvents.pauseProducer)
  pauseProducer(@ConnectedSocket() s: Socket, @MessageBody() b: unknown) {
    return this.run(s, MediaEvents.pauseProducer, b, (p, c) => this.host(c, 'pauseProducer', p.producerId, p.paused));
  }

  @SubscribeMessage(MediaEvents.closeProducer)
  closeProducer(@ConnectedSocket() s: Socket, @MessageBody() b: unknown) {
    return this.run(s, MediaEvents.closeProducer, b, (p, c) => this.host(c, 'closeProducer', p.producerId));
  }

  @SubscribeMessage(MediaEvents.consume)
  consume(@ConnectedSocket() s: Socket, @MessageBody() b: unknown) {
    return this.run(s, MediaEvents.consume, b, (p, c) => this.host(c, 'consume', p.producerId));
  }

  @SubscribeMessage(MediaEvents.resumeConsumer)
  resumeConsumer(@ConnectedSocket() s: Socket, @MessageBody() b: unknown) {
    return this.run(s, MediaEvents.resumeConsumer, b, (p, c) => this.host(c, 'resumeConsumer', p.consumerId));
  }

  @SubscribeMessage(MediaEvents.setLayers)
  setLayers(@ConnectedSocket() s: Socket, @MessageBody() b: unknown) {
    return this.run(s, MediaEvents.setLayers, b, (p, c) => this.host(c, 'setLayers', p.consumerId, p.spatialLayer, p.temporalLayer));
  }

  @SubscribeMessage(MediaEvents.leave)
  leave(@ConnectedSocket() s: Socket, @MessageBody() b: unknown) {
    return this.run(s, MediaEvents.leave, b, (_p, c, data) => {
      data.mediaPeerId = undefined;
      data.mediaSessionId = undefined;
      return this.host<null>(c, 'leave');
    });
  }

  @SubscribeMessage(MediaEvents.policy)
  setPolicy(@ConnectedSocket() s: Socket, @MessageBody() b: unknown) {
    return this.run(s, MediaEvents.policy, b, async (p, c) => {
      const policy = await this.host<MediaPolicy>(c, 'setPolicy', p);
      this.server.to(roomOf(c.sessionId)).emit('media:policy', policy);
      return policy;
    });
  }
}
