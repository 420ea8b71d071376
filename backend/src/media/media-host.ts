import type { HostReply, HostReplies, HostRequest } from '../contracts/media-host';
import type { MediaService } from './media.service';

/** Ties a case's answer to the request it narrowed to: each kind answers with its own reply type. */
const answer = <R extends HostRequest>(
  _request: R,
  reply: HostReply<R> | Promise<HostReply<R>>,
): Promise<HostReply<R>> => Promise.resolve(reply);

/**
 * Runs one host request against this instance's media: the only place a request becomes a MediaService
 * call, whether it came from a socket on this instance or over Redis from another. A request kind
 * added to the contract and not handled here does not compile (the `never` below).
 */
export function serveHostRequest<R extends HostRequest>(media: MediaService, request: R): Promise<HostReply<R>>;
export function serveHostRequest(media: MediaService, r: HostRequest): Promise<HostReplies[keyof HostReplies]> {
  switch (r.op) {
    case 'join':
      return answer(r, media.join(r.caller, r.peerId));
    case 'ready':
      return answer(r, media.ready(r.caller, r.rtpCapabilities));
    case 'createTransport':
      return answer(r, media.createTransport(r.caller, r.direction));
    case 'connectTransport':
      return answer(r, media.connectTransport(r.caller, r.transportId, r.dtlsParameters));
    case 'restartIce':
      return answer(r, media.restartIce(r.caller, r.transportId));
    case 'produce':
      return answer(
        r,
        media.produce(r.caller, {
          transportId: r.transportId,
          kind: r.kind,
          source: r.source,
          rtpParameters: r.rtpParameters,
        }),
      );
    case 'pauseProducer':
      return answer(r, media.pauseProducer(r.caller, r.producerId, r.paused));
    case 'closeProducer':
      return answer(r, media.closeProducer(r.caller, r.producerId));
    case 'consume':
      return answer(r, media.consume(r.caller, r.producerId));
    case 'resumeConsumer':
      return answer(r, media.resumeConsumer(r.caller, r.consumerId));
    case 'setLayers':
      return answer(
        r,
        media.setLayers(r.caller, r.consumerId, { spatialLayer: r.spatialLayer, temporalLayer: r.temporalLayer }),
      );
    case 'leave':
      return answer(r, media.leave(r.caller));
    case 'setPolicy':
      return answer(r, media.setPolicy(r.caller, r.policy));
    case 'socketDropped':
      return answer(r, media.socketDropped(r.socketId));
    case 'teacherAction':
      return answer(r, media.teacherAction(r.sessionId, r.userId, r.action));
    case 'closeRoom':
      return answer(r, media.closeRoom(r.sessionId));
    case 'pipeConnect':
      return answer(r, media.pipeConnect(r));
    case 'pipeProduce':
      return answer(r, media.pipeProduce(r));
    case 'pipeEvent':
      return answer(r, media.pipeEvent(r));
    case 'classSpeaker':
      return answer(r, media.classSpeaker(r));
    default: {
      const unhandled: never = r;
      throw new Error(`unhandled host request ${JSON.stringify(unhandled)}`);
    }
  }
}
