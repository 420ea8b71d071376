import { describe, expect, it } from 'vitest';
import { MediaStatsBook, outboundTotals, selectedRoute, StatEntry } from './media-stats';

/** A getStats report as the browser returns it: a map from stat id to entry. */
const report = (...entries: StatEntry[]) => new Map(entries.map((e) => [e.id, e]));

describe('reading getStats', () => {
  it('finds the route of the selected candidate pair, and none before one is selected', () => {
    const selected = report(
      { type: 'local-candidate', id: 'L1', candidateType: 'host' },
      { type: 'local-candidate', id: 'L2', candidateType: 'relay' },
      { type: 'candidate-pair', id: 'P', localCandidateId: 'L2' },
      { type: 'transport', id: 'T', selectedCandidatePairId: 'P' },
    );
    expect(selectedRoute(selected)).toEqual({ route: 'relay' });
    expect(
      selectedRoute(
        report({ type: 'local-candidate', id: 'L1', candidateType: 'host' }, { type: 'transport', id: 'T' }),
      ),
    ).toBeNull();
  });

  it("sums what we send and what the far end lost, and takes the nominated pair's round trip", () => {
    const totals = outboundTotals(
      report(
        { type: 'outbound-rtp', id: 'o1', packetsSent: 100 },
        { type: 'outbound-rtp', id: 'o2', packetsSent: 50 },
        { type: 'remote-inbound-rtp', id: 'r1', packetsLost: 3 },
        { type: 'remote-inbound-rtp', id: 'r2', packetsLost: -1 },
        { type: 'candidate-pair', id: 'p1', nominated: false, currentRoundTripTime: 9 },
        { type: 'candidate-pair', id: 'p2', nominated: true, currentRoundTripTime: 0.05 },
      ),
    );
    expect(totals).toEqual({ lost: 3, sent: 150, rttSeconds: 0.05 });
  });
});

describe('MediaStatsBook', () => {
  const camera = { peerId: 'peer-a', kind: 'video' as const, source: 'camera' as const };
  const mic = { peerId: 'peer-a', kind: 'audio' as const, source: 'mic' as const };
  const screen = { peerId: 'peer-b', kind: 'video' as const, source: 'screen' as const };

  it("shows the worse of the sender's uplink (server score) and our downlink from them", () => {
    const book = new MediaStatsBook();
    expect(book.quality('peer-a')).toBeNull();
    book.serverScore('peer-a', 6);
    expect(book.quality('peer-a')).toBe(6);
    book.recordInbound('c1', camera, report({ type: 'inbound-rtp', id: 'i', packetsReceived: 1000, packetsLost: 0 }));
    expect(book.quality('peer-a')).toBe(6); // clean downlink, weaker uplink
    book.serverScore('peer-a', 10);
    // 10% loss since the previous sample: the downlink is the worse.
    book.recordInbound('c1', camera, report({ type: 'inbound-rtp', id: 'i', packetsReceived: 1900, packetsLost: 100 }));
    expect(book.quality('peer-a')).toBe(3);
  });

  it('counts a paused producer as clean until the server scores it, without overriding a score', () => {
    const book = new MediaStatsBook();
    book.assumeClean('peer-a');
    expect(book.quality('peer-a')).toBe(10);
    book.serverScore('peer-b', 4);
    book.assumeClean('peer-b');
    expect(book.quality('peer-b')).toBe(4);
  });

  it('keeps frames decoded and audio packets per person, and forgets a consumer that closed', () => {
    const book = new MediaStatsBook();
    book.recordInbound('c1', camera, report({ type: 'inbound-rtp', id: 'i', framesDecoded: 42, packetsReceived: 500 }));
    book.recordInbound('c2', mic, report({ type: 'inbound-rtp', id: 'i', packetsReceived: 77 }));
    book.recordInbound('c3', screen, report({ type: 'inbound-rtp', id: 'i', framesDecoded: 9 }));
    expect(book.receiveCounters()).toEqual([
      { peerId: 'peer-a', cameraFrames: 42, screenFrames: 0, audioPackets: 77 },
      { peerId: 'peer-b', cameraFrames: 0, screenFrames: 9, audioPackets: 0 },
    ]);
    book.forgetConsumer('c3');
    expect(book.receiveCounters().map((c) => c.peerId)).toEqual(['peer-a']);
    book.forgetConsumers();
    expect(book.receiveCounters()).toEqual([]);
  });

  it('scores our own uplink from what we sent and the far end lost since the previous sample', () => {
    const book = new MediaStatsBook();
    expect(book.selfQuality).toBeNull();
    book.recordOutbound(report({ type: 'outbound-rtp', id: 'o', packetsSent: 1000 }));
    expect(book.selfQuality).toBe(10);
    book.recordOutbound(
      report(
        { type: 'outbound-rtp', id: 'o', packetsSent: 1900 },
        { type: 'remote-inbound-rtp', id: 'r', packetsLost: 100 },
      ),
    );
    expect(book.selfQuality).toBe(3);
  });
});
