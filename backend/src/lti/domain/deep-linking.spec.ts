import { describe, expect, it } from 'vitest';
import { classroomContentItem, deepLinkingResponseClaims } from './deep-linking';

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
      text: 'Live class on 2026-12-01 09:00 UTC.',
      url: 'https://lectern.example/lti',
      custom: { lectern_classroom: 'c1' },
      lineItem: { scoreMaximum: 10, label: 'Attendance: Week 3', resourceId: 'lectern:c1', tag: 'lectern:attendance' },
      available: { startDateTime: '2026-12-01T09:00:00.000Z' },
    });
    expect(classroomContentItem('https://l', { ...c, attendancePoints: null, scheduledFor: null })).not.toHaveProperty(
      'lineItem',
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
