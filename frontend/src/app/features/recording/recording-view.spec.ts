import { describe, expect, it } from 'vitest';
import { ES } from '../../core/i18n/es';
import { translatorOf } from '../../core/i18n/language';
import { recordingView } from './recording-view';

describe('recording view', () => {
  const since = '2026-12-04T08:00:00.000Z';

  it('says the class is recorded, and what is recorded', () => {
    const v = recordingView({ status: 'recording', off: null, since, by: null });
    expect(v.indicator).toBe('Recording');
    expect(v.tone).toBe('live');
    expect(v.banner).toContain('being recorded');
    expect(v.banner).toContain("everyone's microphone");
  });

  it('says who paused it', () => {
    const v = recordingView({ status: 'paused', off: null, since, by: 'Ada Lovelace' });
    expect(v).toMatchObject({ indicator: 'Recording paused', tone: 'paused' });
    expect(v.banner).toBe('The recording is paused by Ada Lovelace: nothing is recorded until it resumes.');
  });

  it('shows nothing when the class is not recorded, or before the state is known', () => {
    expect(recordingView({ status: 'off', off: 'platform', since, by: null })).toEqual({
      indicator: null,
      tone: null,
      banner: null,
    });
    expect(recordingView(null).indicator).toBeNull();
  });

  it("speaks the room's language", () => {
    const es = translatorOf(ES);
    expect(recordingView({ status: 'recording', off: null, since, by: null }, es).indicator).toBe('Grabando');
    expect(recordingView({ status: 'paused', off: null, since, by: 'Ada' }, es).banner).toBe(
      'Ada puso la grabación en pausa: no se graba nada hasta que se reanude.',
    );
  });
});
