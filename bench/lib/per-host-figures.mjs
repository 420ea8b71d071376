// The arithmetic of bench/media-per-host.mjs, kept apart so a spec can check it without a run.

/** Least-squares line cpu = intercept + perConsumer × consumers over a host's steps (null below two distinct points). */
export function fitCpuPerConsumer(points) {
  const pts = points.filter((p) => Number.isFinite(p.consumers) && Number.isFinite(p.cpu));
  if (pts.length < 2) return null;
  const n = pts.length;
  const mx = pts.reduce((a, p) => a + p.consumers, 0) / n;
  const my = pts.reduce((a, p) => a + p.cpu, 0) / n;
  const sxx = pts.reduce((a, p) => a + (p.consumers - mx) ** 2, 0);
  if (sxx === 0) return null;
  const sxy = pts.reduce((a, p) => a + (p.consumers - mx) * (p.cpu - my), 0);
  const perConsumer = sxy / sxx;
  return { perConsumer, intercept: my - perConsumer * mx };
}

/**
 * Consumers a worker carries at `threshold` of a core by the fitted line (null when CPU does not grow
 * with consumers, which says the run measured nothing).
 */
export function consumersAt(fit, threshold) {
  if (!fit || !(fit.perConsumer > 0)) return null;
  return Math.max(0, (threshold - Math.max(0, fit.intercept)) / fit.perConsumer);
}

/** Lecture: one teacher's camera and voice to every student, two consumers per student. */
export const lectureParticipants = (consumers) => (consumers === null ? null : Math.floor(consumers / 2) + 1);

/** Discussion: everyone sends camera and voice and receives everyone else's: 2·n·(n−1) consumers. */
export function discussionParticipants(consumers) {
  if (consumers === null) return null;
  // largest n with 2n(n-1) <= consumers
  return Math.floor((1 + Math.sqrt(1 + 2 * consumers)) / 2);
}

/** The first step at which a host's worker passed the threshold (by measurement, not by the line). */
export function firstCrossing(steps, host, threshold) {
  const s = steps.find((st) => (st.hosts[host]?.workerCpu ?? 0) >= threshold);
  return s
    ? { participants: s.participants, consumers: s.hosts[host].consumers, workerCpu: s.hosts[host].workerCpu }
    : null;
}

export const round = (x, d = 4) => (x === null || x === undefined || !Number.isFinite(x) ? null : +x.toFixed(d));
