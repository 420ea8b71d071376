/**
 * One active speaker for a whole class, whichever media hosts its people are on. Each host hears only
 * its own people's microphones (their audio level, from the RTP header the browser writes); it reports
 * the voices it hears, and any host may then decide the class's speaker from every host's reports with
 * `nextClassSpeaker`. The decision is written with a version (compare-and-set), so the hosts cannot
 * disagree: there is one stored answer, and every host applies the newest version it is told of.
 */

/** A voice heard on one router of the class: its level in dBov (0 loudest, -127 silence), and when. */
export interface VoiceReport {
  peerId: string;
  userId: string;
  level: number;
  at: number;
}

export interface Speaker {
  peerId: string;
  userId: string;
}

export interface ClassSpeaker {
  /** Grows by one with every change written (a host applies a change only when newer than what it has). */
  version: number;
  speaker: Speaker | null;
  /** Someone louder than the speaker, and since when: they take over once they have led for `holdMs`. */
  challenger: (Speaker & { since: number }) | null;
}

export interface SpeakerRules {
  /** A report older than this is a voice no longer heard. */
  staleMs: number;
  /** How long someone must lead before they take over from a speaker (no flicker on a cough). */
  holdMs: number;
  /** By how much (dB) a challenger must be louder than a speaker who is still talking. */
  marginDb: number;
}

/** About three of the observers' 300 ms reports: a voice must lead for most of a second to take over. */
export const SPEAKER_RULES: SpeakerRules = { staleMs: 1_000, holdMs: 800, marginDb: 4 };

export const NO_SPEAKER: ClassSpeaker = { version: 0, speaker: null, challenger: null };

/**
 * The class's speaker after these reports, at `now`. The first voice heard takes the floor at once; then
 * a speaker keeps it while nobody is heard (the last speaker stays shown) and while they are the loudest,
 * or within `marginDb` of the loudest; someone louder by more than that (or anyone, once the speaker is
 * no longer heard) becomes the challenger, and takes over after leading for `holdMs`. Returns `current`
 * itself when nothing changes (nothing to write), else the next state with its version one higher.
 */
export function nextClassSpeaker(
  current: ClassSpeaker,
  reports: readonly VoiceReport[],
  now: number,
  rules: SpeakerRules = SPEAKER_RULES,
): ClassSpeaker {
  // Each person's loudest fresh report (two routers, or a late report of a host, may name the same voice).
  const heard = new Map<string, VoiceReport>();
  for (const r of reports) {
    if (now - r.at > rules.staleMs) continue;
    const seen = heard.get(r.peerId);
    if (!seen || r.level > seen.level) heard.set(r.peerId, r);
  }
  let loudest: VoiceReport | null = null;
  for (const r of heard.values())
    if (!loudest || r.level > loudest.level || (r.level === loudest.level && r.peerId < loudest.peerId)) loudest = r;
  const next = (speaker: Speaker | null, challenger: ClassSpeaker['challenger']): ClassSpeaker => ({
    version: current.version + 1,
    speaker,
    challenger,
  });
  const noChallenger = () => (current.challenger ? next(current.speaker, null) : current);
  if (!loudest) return noChallenger();
  const voice = { peerId: loudest.peerId, userId: loudest.userId };
  if (!current.speaker) return next(voice, null);
  if (loudest.peerId === current.speaker.peerId) return noChallenger();
  const speakerLevel = heard.get(current.speaker.peerId)?.level ?? -Infinity;
  if (loudest.level < speakerLevel + rules.marginDb) return noChallenger();
  const since = current.challenger?.peerId === voice.peerId ? current.challenger.since : now;
  if (now - since >= rules.holdMs) return next(voice, null);
  return since === current.challenger?.since && current.challenger.peerId === voice.peerId
    ? current
    : next(current.speaker, { ...voice, since });
}

/** The class's speaker once this person can no longer speak (their microphone closed): nobody, or unchanged. */
export function withoutSpeaker(current: ClassSpeaker, peerId: string): ClassSpeaker {
  const isSpeaker = current.speaker?.peerId === peerId;
  const isChallenger = current.challenger?.peerId === peerId;
  if (!isSpeaker && !isChallenger) return current;
  return {
    version: current.version + 1,
    speaker: isSpeaker ? null : current.speaker,
    challenger: isChallenger ? null : current.challenger,
  };
}
