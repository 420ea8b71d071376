import type { PeerReceiveCounters } from './media-stats';

/** A read-only readout of the live media, for support and for the browser tests (`lecternMedia.received()` in the console). */
export interface MediaDiagnostics {
  /** Frames decoded and audio packets received, per person we receive from. */
  received(): PeerReceiveCounters[];
}

type Host = { lecternMedia?: MediaDiagnostics };

/** Publishes the readout on the page; the returned function takes it down again. */
export function exposeMediaDiagnostics(source: { receiveCounters(): PeerReceiveCounters[] }): () => void {
  const host = globalThis as Host;
  const readout: MediaDiagnostics = { received: () => source.receiveCounters() };
  host.lecternMedia = readout;
  return () => {
    if (host.lecternMedia === readout) delete host.lecternMedia;
  };
}
