import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TOOL_SCOPES } from './domain/dynamic-registration';

const read = (f: string) => JSON.parse(fs.readFileSync(`lti-config/${f}`, 'utf8'));

/** The files an admin pastes must name the endpoints Lectern really serves, and the services it really uses. */
describe('lti-config/', () => {
  const endpoints = read('endpoints.json');

  it('gives Canvas the tool endpoints, the scopes Lectern asks for, and deep-linking placements', () => {
    const canvas = read('canvas-developer-key.json');
    expect(canvas.oidc_initiation_url).toBe(endpoints.oidc_initiation_url);
    expect(canvas.target_link_uri).toBe(endpoints.target_link_uri);
    expect(canvas.public_jwk_url).toBe(endpoints.public_jwk_url);
    expect([...canvas.scopes].sort()).toEqual([...TOOL_SCOPES].sort());
    const placements = canvas.extensions[0].settings.placements;
    expect(
      placements
        .filter((p: { message_type: string }) => p.message_type === 'LtiDeepLinkingRequest')
        .map((p: { placement: string }) => p.placement),
    ).toEqual(expect.arrayContaining(['assignment_selection', 'link_selection']));
    for (const p of placements) expect(p.target_link_uri).toBe(endpoints.target_link_uri);
  });

  it('gives Moodle the same endpoints', () => {
    const moodle = read('moodle-tool-settings.json');
    expect(moodle['Initiate login URL']).toBe(endpoints.oidc_initiation_url);
    expect(moodle['Public keyset']).toBe(endpoints.public_jwk_url);
    expect(moodle['Redirection URI(s)']).toBe(endpoints.target_link_uri);
  });

  it('names paths the tool serves', () => {
    expect(new URL(endpoints.oidc_initiation_url).pathname).toBe('/lti/login');
    expect(new URL(endpoints.target_link_uri).pathname).toBe('/lti');
    expect(new URL(endpoints.public_jwk_url).pathname).toBe('/lti/keys');
  });
});
