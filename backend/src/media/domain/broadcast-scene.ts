/**
 * What the big-lecture broadcast shows and plays: one voice and one picture, chosen from the class's
 * producers. Pure; the room broadcast restarts its FFmpeg when the choice changes (a new run in the
 * playlist, after a discontinuity).
 *
 * Voice: the active speaker's microphone (speakers are on WebRTC: instructors, those promoted, those who
 * were there before the class got busy), else an instructor's. Picture: a screen being shared (an instructor's first),
 * else the voice's camera, else an instructor's camera. Paused producers send nothing, so they are not
 * chosen (FFmpeg would wait for their packets); the broadcast then plays silence or a plain picture.
 *
 * Except the voice already on air: its microphone being muted (paused) keeps it chosen, so a mute/unmute
 * is not a scene change (a new FFmpeg run, ~2 s lost for the viewers). FFmpeg plays silence in the gap
 * (the muxer waits at most `-max_interleave_delta` for a quiet stream; aresample pads the hole). A paused
 * camera or screen still drops out: with no video packets FFmpeg would cut no segments.
 */
export interface StageProducer {
  id: string;
  userId: string;
  canTeach: boolean;
  source: 'mic' | 'camera' | 'screen' | 'screen-audio';
  paused: boolean;
}

export interface Scene {
  audio: string | null;
  video: string | null;
}

export function chooseScene(
  producers: StageProducer[],
  activeSpeakerUserId: string | null,
  current: Scene | null = null,
): Scene {
  const onAir = current?.audio ?? null;
  const live = producers.filter((p) => !p.paused || (p.source === 'mic' && p.id === onAir));
  const teacherFirst = (a: StageProducer, b: StageProducer) =>
    Number(b.canTeach) - Number(a.canTeach) || (a.id < b.id ? -1 : 1);
  const mics = live.filter((p) => p.source === 'mic').sort(teacherFirst);
  const voice = mics.find((p) => p.userId === activeSpeakerUserId) ?? mics.find((p) => p.canTeach) ?? null;
  const screens = live.filter((p) => p.source === 'screen').sort(teacherFirst);
  const cameras = live.filter((p) => p.source === 'camera').sort(teacherFirst);
  const picture =
    screens[0] ??
    (voice ? cameras.find((p) => p.userId === voice.userId) : undefined) ??
    cameras.find((p) => p.canTeach) ??
    null;
  return { audio: voice?.id ?? null, video: picture?.id ?? null };
}

export const sameScene = (a: Scene, b: Scene) => a.audio === b.audio && a.video === b.video;
