import type Redis from 'ioredis';
import { z } from 'zod';
import { classSpeakerStateSchema } from '../../contracts/media-host';
import { ClassSpeaker, NO_SPEAKER, VoiceReport } from '../domain/class-speaker';

/** The voices each router of the class hears now (`<host>:<worker>` → JSON), written by that host. */
const voicesKey = (sessionId: string) => `media:voices:${sessionId}`;
/** The class's speaker (JSON ClassSpeaker), written only by compare-and-set on its version. */
const speakerKey = (sessionId: string) => `media:speaker:${sessionId}`;
/** Voices are a second old at most; the speaker lasts the class (and a day at most after it). */
const VOICES_TTL_MS = 10_000;
const SPEAKER_TTL_SECONDS = 24 * 3600;

/** Writes the next state only while the stored one still has the version it was decided from. */
const COMPARE_AND_SET = `local cur = redis.call('GET', KEYS[1])
local v = 0
if cur then v = tonumber(cjson.decode(cur)['version']) or 0 end
if v ~= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
return 1`;

const voicesSchema = z.object({
  at: z.number(),
  voices: z.array(z.object({ peerId: z.string(), userId: z.string(), level: z.number() })),
});

/** A class's voices and speaker in Redis (every host of the class reads and writes them). */
export class ClassSpeakerStore {
  constructor(private readonly redis: Redis) {}

  /** What one router of this host hears now (nothing: its field goes). */
  async report(
    sessionId: string,
    router: string,
    voices: ReadonlyArray<Omit<VoiceReport, 'at'>>,
    at: number,
  ): Promise<void> {
    const key = voicesKey(sessionId);
    if (!voices.length) {
      await this.redis.hdel(key, router);
      return;
    }
    await this.redis.multi().hset(key, router, JSON.stringify({ at, voices })).pexpire(key, VOICES_TTL_MS).exec();
  }

  /** Every router's voices, and the class's speaker as stored. A malformed entry counts as nothing heard. */
  async read(sessionId: string): Promise<{ reports: VoiceReport[]; state: ClassSpeaker }> {
    const [voices, speaker] = await Promise.all([
      this.redis.hgetall(voicesKey(sessionId)),
      this.redis.get(speakerKey(sessionId)),
    ]);
    const reports: VoiceReport[] = [];
    for (const raw of Object.values(voices)) {
      const parsed = voicesSchema.safeParse(safeJson(raw));
      if (parsed.success) for (const v of parsed.data.voices) reports.push({ ...v, at: parsed.data.at });
    }
    return { reports, state: this.parseState(speaker) };
  }

  async state(sessionId: string): Promise<ClassSpeaker> {
    return this.parseState(await this.redis.get(speakerKey(sessionId)));
  }

  /** Writes `next` if the stored state is still at `fromVersion`; false when another host wrote first. */
  async compareAndSet(sessionId: string, fromVersion: number, next: ClassSpeaker): Promise<boolean> {
    const done = await this.redis.eval(
      COMPARE_AND_SET,
      1,
      speakerKey(sessionId),
      String(fromVersion),
      JSON.stringify(next),
      String(SPEAKER_TTL_SECONDS),
    );
    return done === 1;
  }

  async forget(sessionId: string): Promise<void> {
    await this.redis.del(voicesKey(sessionId), speakerKey(sessionId));
  }

  private parseState(raw: string | null): ClassSpeaker {
    if (!raw) return NO_SPEAKER;
    const parsed = classSpeakerStateSchema.safeParse(safeJson(raw));
    return parsed.success ? parsed.data : NO_SPEAKER;
  }
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return null;
  }
}
