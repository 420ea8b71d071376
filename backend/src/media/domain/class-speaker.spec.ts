import { describe, expect, it } from 'vitest';
import { ClassSpeaker, nextClassSpeaker, NO_SPEAKER, SPEAKER_RULES, withoutSpeaker } from './class-speaker';

const ada = { peerId: 'p-ada', userId: 'u-ada' };
const grace = { peerId: 'p-grace', userId: 'u-grace' };
const alan = { peerId: 'p-alan', userId: 'u-alan' };
const heard = (who: { peerId: string; userId: string }, level: number, at: number) => ({ ...who, level, at });

describe('the class speaker over every host', () => {
  it('gives the floor to the first voice at once, and keeps nothing to write while nobody speaks', () => {
    expect(nextClassSpeaker(NO_SPEAKER, [], 1000)).toBe(NO_SPEAKER);
    const first = nextClassSpeaker(NO_SPEAKER, [heard(ada, -30, 1000)], 1000);
    expect(first).toEqual({ version: 1, speaker: ada, challenger: null });
    // The speaker talking on, or silence after: the same state (no write, no message).
    expect(nextClassSpeaker(first, [heard(ada, -25, 1300)], 1300)).toBe(first);
    expect(nextClassSpeaker(first, [], 5000)).toBe(first);
  });

  it('picks the loudest of reports from several hosts, ignoring stale ones', () => {
    const s = nextClassSpeaker(NO_SPEAKER, [heard(ada, -10, 0), heard(grace, -35, 2000), heard(alan, -20, 1900)], 2000);
    // Ada's report is two seconds old: no longer heard.
    expect(s.speaker).toEqual(alan);
  });

  it('hands over only after a louder voice has led for the hold time', () => {
    const { holdMs } = SPEAKER_RULES;
    let s: ClassSpeaker = { version: 3, speaker: ada, challenger: null };
    // Grace is louder by more than the margin while Ada still talks: a challenger, not yet the speaker.
    s = nextClassSpeaker(s, [heard(ada, -30, 1000), heard(grace, -20, 1000)], 1000);
    expect(s).toEqual({ version: 4, speaker: ada, challenger: { ...grace, since: 1000 } });
    // Still leading, not long enough: nothing changes (no write).
    const same = nextClassSpeaker(s, [heard(ada, -30, 1300), heard(grace, -20, 1300)], 1300);
    expect(same).toBe(s);
    s = nextClassSpeaker(s, [heard(ada, -30, 1000 + holdMs), heard(grace, -20, 1000 + holdMs)], 1000 + holdMs);
    expect(s).toEqual({ version: 5, speaker: grace, challenger: null });
  });

  it('keeps a speaker who is about as loud as the loudest (crosstalk does not flicker)', () => {
    const s: ClassSpeaker = { version: 1, speaker: ada, challenger: null };
    const margin = SPEAKER_RULES.marginDb;
    for (let t = 0; t < 5000; t += 300)
      expect(nextClassSpeaker(s, [heard(ada, -30, t), heard(grace, -30 + margin - 1, t)], t)).toBe(s);
  });

  it('lets anyone take over from a speaker no longer heard, after the hold time', () => {
    let s: ClassSpeaker = { version: 1, speaker: ada, challenger: null };
    s = nextClassSpeaker(s, [heard(grace, -50, 0)], 0);
    expect(s.challenger?.peerId).toBe(grace.peerId);
    s = nextClassSpeaker(s, [heard(grace, -50, SPEAKER_RULES.holdMs)], SPEAKER_RULES.holdMs);
    expect(s.speaker).toEqual(grace);
  });

  it('drops a challenger who stops leading, and restarts the count for a new one', () => {
    let s: ClassSpeaker = { version: 1, speaker: ada, challenger: { ...grace, since: 0 } };
    s = nextClassSpeaker(s, [heard(ada, -20, 500), heard(grace, -30, 500)], 500);
    expect(s).toEqual({ version: 2, speaker: ada, challenger: null });
    s = { version: 2, speaker: ada, challenger: { ...grace, since: 0 } };
    s = nextClassSpeaker(s, [heard(ada, -40, 700), heard(alan, -10, 700)], 700);
    expect(s.challenger).toEqual({ ...alan, since: 700 });
  });

  it('the speaker whose microphone closed leaves the floor empty; anyone else changes nothing', () => {
    const s: ClassSpeaker = { version: 7, speaker: ada, challenger: { ...grace, since: 0 } };
    expect(withoutSpeaker(s, alan.peerId)).toBe(s);
    expect(withoutSpeaker(s, ada.peerId)).toEqual({ version: 8, speaker: null, challenger: { ...grace, since: 0 } });
    expect(withoutSpeaker(s, grace.peerId)).toEqual({ version: 8, speaker: ada, challenger: null });
  });
});
