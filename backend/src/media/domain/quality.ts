/**
 * Connection quality and simulcast layer choice, shared by the server (producer scores) and the
 * browser (its own getStats readings, the tile sizes it shows).
 */

/** The simulcast spatial layer worth receiving for a tile this many CSS pixels high (3 layers: 180p, 360p, 720p). */
export function spatialLayerFor(tileHeightPx: number, devicePixelRatio = 1, layers = 3): number {
  const px = tileHeightPx * Math.max(1, devicePixelRatio);
  const layer = px <= 200 ? 0 : px <= 400 ? 1 : 2;
  return Math.min(layer, layers - 1);
}

/** One person's quality from mediasoup's scores of their producers' streams (each 0-10): the worst of the best per producer. */
export function qualityFromScores(scoresPerProducer: number[][]): number {
  const per = scoresPerProducer.filter((s) => s.length > 0).map((s) => Math.max(...s));
  return per.length ? Math.min(...per) : 10;
}

export interface LinkSample {
  /** Packets lost and received since the previous sample. */
  lost: number;
  received: number;
  /** Round trip in seconds (candidate pair currentRoundTripTime), when known. */
  rttSeconds?: number;
  /** Jitter in seconds, when known. */
  jitterSeconds?: number;
}

/**
 * A 0-10 score from what a browser measures (loss, round trip, jitter), on the same scale as
 * mediasoup's scores: 10 is clean, below 4 people notice. Loss weighs most, as it does for the ear.
 */
export function qualityFromSample(s: LinkSample): number {
  const total = s.lost + s.received;
  const loss = total > 0 ? s.lost / total : 0;
  let score = 10;
  score -= Math.min(7, loss * 100 * 0.7); // 10% loss costs 7 points
  if (s.rttSeconds !== undefined) score -= Math.min(2, Math.max(0, (s.rttSeconds - 0.15) * 5)); // past 150 ms
  if (s.jitterSeconds !== undefined) score -= Math.min(1, Math.max(0, (s.jitterSeconds - 0.03) * 20)); // past 30 ms
  return Math.max(0, Math.min(10, Math.round(score)));
}

export type QualityLabel = 'good' | 'fair' | 'poor' | 'lost';
export function qualityLabel(score: number): QualityLabel {
  return score >= 8 ? 'good' : score >= 5 ? 'fair' : score >= 1 ? 'poor' : 'lost';
}
