import { describe, expect, it } from 'vitest';
import { classroomContentItem, deepLinkingResponseClaims, liveClassText } from './deep-linking';

describe('deep linking', () => {
  const c = {
    id: 'c1',
    title: 'Week 3',
    description: null,
    attendancePoints: 10,
    scheduledFor: new Date('2026-12-01T09:00:00Z'),
  };

  it('makes a resource link that names the classroom, with a line item when graded', () => {
    expect(classroomContentItem('https://lectern.example', c)).toEqual({
      type: 'ltiResourceLink',
      title: 'Week 3',
      text: expect.stringMatching(/^Live class on Tuesday, December 1, 2026 at 9:00\sAM \(UTC\)\.$/),
      url: 'https://lectern.example/lti',
      custom: { lectern_classroom: 'c1' },
      lineItem: { scoreMaximum: 10, label: 'Attendance: Week 3', resourceId: 'lectern:c1', tag: 'lectern:attendance' },
      available: { startDateTime: '2026-12-01T09:00:00.000Z' },
    });
    expect(classroomContentItem('https://l', { ...c, attendancePoints: null, scheduledFor: null })).not.toHaveProperty(
      'lineItem',
    );
  });

  it("writes the first class's time in the instructor's language and the course's time zone", () => {
    const at = new Date('2026-12-01T15:30:00Z');
    expect(liveClassText(at, { locale: 'es', timeZone: 'America/Mexico_City' })).toBe(
      'Clase en directo el martes, 1 de diciembre de 2026, 9:30 (America/Mexico_City).',
    );
    expect(liveClassText(at, { locale: 'en-GB', timeZone: 'Europe/London' })).toBe(
      'Live class on Tuesday, 1 December 2026 at 15:30 (Europe/London).',
    );
    // A language the app does not speak: English words; a zone Intl does not know: UTC, said so.
    expect(liveClassText(at, { locale: 'fr', timeZone: 'Mars/Base' })).toMatch(/^Live class on .* \(UTC\)\.$/);
    expect(classroomContentItem('https://l', { ...c, scheduledFor: at }, { locale: 'es', timeZone: 'UTC' }).text).toBe(
      'Clase en directo el martes, 1 de diciembre de 2026, 15:30 (UTC).',
    );
  });

  it('answers with the platform data echoed', () => {
    const claims = deepLinkingResponseClaims({
      clientId: 'cl',
      platformIssuer: 'https://lms',
      deploymentId: 'd1',
      data: 'xyz',
      items: [],
      nonce: 'n',
    });
    expect(claims).toMatchObject({
      iss: 'cl',
      aud: 'https://lms',
      nonce: 'n',
      'https://purl.imsglobal.org/spec/lti/claim/message_type': 'LtiDeepLinkingResponse',
      'https://purl.imsglobal.org/spec/lti/claim/version': '1.3.0',
      'https://purl.imsglobal.org/spec/lti/claim/deployment_id': 'd1',
      'https://purl.imsglobal.org/spec/lti-dl/claim/data': 'xyz',
    });
    expect(
      deepLinkingResponseClaims({
        clientId: 'cl',
        platformIssuer: 'x',
        deploymentId: 'd',
        data: null,
        items: [],
        nonce: 'n',
      }),
    ).not.toHaveProperty('https://purl.imsglobal.org/spec/lti-dl/claim/data');
  });
});
