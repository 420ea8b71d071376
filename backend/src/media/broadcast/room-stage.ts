import type { types } from 'mediasoup';
import type { MediaRoom } from '../sfu/media-room';
import type { ProducerData } from '../sfu/media-peer';
import type { BroadcastStage } from './room-broadcast';

/** A class's media room as the broadcast sees it: its producers (with their routers), the voice, and changes to either. */
export function stageOf(room: MediaRoom): BroadcastStage {
  return {
    producers: () =>
      [...room.peers.values()].flatMap((peer) =>
        [...peer.producers.values()]
          .filter((p) => !p.closed)
          .map((p) => ({
            id: p.id,
            userId: peer.identity.userId,
            canTeach: peer.identity.canTeach,
            source: p.appData.source,
            paused: p.paused,
            producer: p,
            router: room.router(peer.workerIndex),
          })),
      ),
    activeSpeakerUserId: () => room.activeSpeakerUserId,
    onChange: (listener) => {
      const watched = new Set<types.Producer<ProducerData>>();
      const watch = (p: types.Producer<ProducerData>) => {
        if (watched.has(p)) return;
        watched.add(p);
        p.observer.on('pause', listener);
        p.observer.on('resume', listener);
        p.observer.once('close', () => {
          watched.delete(p);
          listener();
        });
      };
      for (const peer of room.peers.values()) for (const p of peer.producers.values()) watch(p);
      const added = (_peer: unknown, p: types.Producer<ProducerData>) => {
        watch(p);
        listener();
      };
      room.on('producer', added);
      room.on('speaker', listener);
      return () => {
        room.off('producer', added);
        room.off('speaker', listener);
        for (const p of watched) {
          p.observer.off('pause', listener);
          p.observer.off('resume', listener);
        }
      };
    },
  };
}
