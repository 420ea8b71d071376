import type { ConsumerInfo } from '@contracts/media';
import { qualityFromSample } from '@media-domain/quality';

/** The fields of a WebRTC stats entry this client reads (an RTCStatsReport's values carry many more). */
export interface StatEntry {
  type: string;
  id: string;
  packetsLost?: number;
  packetsReceived?: number;
  packetsSent?: number;
  framesDecoded?: number;
  jitter?: number;
  candidateType?: string;
  selectedCandidatePairId?: string;
  localCandidateId?: string;
  nominated?: boolean;
  currentRoundTripTime?: number;
}

/** What getStats returns, as far as this client reads it (an RTCStatsReport is one). */
export interface StatsReportLike {
  forEach(each: (entry: StatEntry) => void): void;
  get(id: string): StatEntry | undefined;
}

/**
 * How our media travels on one transport: the selected pair's local candidate type ('host' direct,
 * 'srflx'/'prflx' through NAT, 'relay' through TURN); null when no pair is selected yet.
 */
export function selectedRoute(report: StatsReportLike): { route: string | null } | null {
  const candidates = new Map<string, string | undefined>();
  let local: string | null = null;
  report.forEach((s) => {
    if (s.type === 'local-candidate') candidates.set(s.id, s.candidateType);
    if (s.type === 'transport' && s.selectedCandidatePairId)
      local = report.get(s.selectedCandidatePairId)?.localCandidateId ?? null;
  });
  return local ? { route: candidates.get(local) ?? null } : null;
}

/** What we send, summed over our streams: packets the far end reports lost, packets sent, the round trip. */
export function outboundTotals(report: StatsReportLike): { lost: number; sent: number; rttSeconds?: number } {
  let lost = 0;
  let sent = 0;
  let rttSeconds: number | undefined;
  report.forEach((s) => {
    if (s.type === 'remote-inbound-rtp') lost += Math.max(0, s.packetsLost ?? 0);
    if (s.type === 'outbound-rtp') sent += s.packetsSent ?? 0;
    if (s.type === 'candidate-pair' && s.nominated && s.currentRoundTripTime !== undefined)
      rttSeconds = s.currentRoundTripTime;
  });
  return rttSeconds === undefined ? { lost, sent } : { lost, sent, rttSeconds };
}

/** What arrived from one person, by source: read by diagnostics (and the browser tests), not shown. */
export interface PeerReceiveCounters {
  peerId: string;
  cameraFrames: number;
  screenFrames: number;
  audioPackets: number;
}

type Received = Pick<ConsumerInfo, 'peerId' | 'kind' | 'source'>;
type Tally = { from: Received; lost: number; received: number; frames: number };

/**
 * Connection quality per person and what we receive from each, from two sources: the server's score of
 * their uplink, and this browser's getStats of what it receives from them (the worse of the two is
 * shown), and for our own tile, our uplink as getStats reads it.
 */
export class MediaStatsBook {
  private readonly uplink = new Map<string, number>();
  private readonly downlink = new Map<string, number>();
  private readonly tallies = new Map<string, Tally>();
  private self = { lost: 0, sent: 0, quality: null as number | null };

  /** The server's 0-10 score of a person's uplink. */
  serverScore(peerId: string, score: number): void {
    this.uplink.set(peerId, score);
  }

  /** A paused producer sends nothing to score: count it as clean until the server says otherwise. */
  assumeClean(peerId: string): void {
    this.uplink.set(peerId, this.uplink.get(peerId) ?? 10);
  }

  quality(peerId: string): number | null {
    return this.downlink.get(peerId) ?? this.uplink.get(peerId) ?? null;
  }

  get selfQuality(): number | null {
    return this.self.quality;
  }

  /** One consumer's inbound-rtp since the previous sample. */
  recordInbound(consumerId: string, from: Received, report: StatsReportLike): void {
    let t = this.tallies.get(consumerId);
    if (!t) this.tallies.set(consumerId, (t = { from, lost: 0, received: 0, frames: 0 }));
    const tally = t;
    report.forEach((s) => {
      if (s.type !== 'inbound-rtp') return;
      const lost = s.packetsLost ?? 0;
      const received = s.packetsReceived ?? 0;
      tally.frames = s.framesDecoded ?? 0;
      if (from.kind === 'audio' || from.source === 'camera') {
        const score = qualityFromSample({
          lost: lost - tally.lost,
          received: received - tally.received,
          jitterSeconds: s.jitter,
        });
        // The worse of the sender's uplink (server score) and our own downlink from them.
        const server = this.uplink.get(from.peerId);
        this.downlink.set(from.peerId, server === undefined ? score : Math.min(server, score));
      }
      tally.lost = lost;
      tally.received = received;
    });
  }

  /** Our own sending, since the previous sample. */
  recordOutbound(report: StatsReportLike): void {
    const { lost, sent, rttSeconds } = outboundTotals(report);
    this.self.quality = qualityFromSample({ lost: lost - this.self.lost, received: sent - this.self.sent, rttSeconds });
    this.self.lost = lost;
    this.self.sent = sent;
  }

  forgetConsumer(consumerId: string): void {
    this.tallies.delete(consumerId);
  }

  forgetConsumers(): void {
    this.tallies.clear();
  }

  /** Frames decoded and audio packets received, per person. */
  receiveCounters(): PeerReceiveCounters[] {
    const byPeer = new Map<string, PeerReceiveCounters>();
    for (const { from, frames, received } of this.tallies.values()) {
      let c = byPeer.get(from.peerId);
      if (!c) byPeer.set(from.peerId, (c = { peerId: from.peerId, cameraFrames: 0, screenFrames: 0, audioPackets: 0 }));
      if (from.source === 'camera') c.cameraFrames = frames;
      else if (from.source === 'screen') c.screenFrames = frames;
      else if (from.source === 'mic') c.audioPackets = received;
    }
    return [...byPeer.values()];
  }
}
