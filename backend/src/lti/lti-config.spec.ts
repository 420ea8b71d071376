import 'reflect-metadata';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AppModule } from '../app.module';
import { loadConfig } from '../config/config';
import {
  ADVERTISED_FEATURES,
  canvasConfiguration,
  EXAMPLE_PUBLIC_URL,
  ltiConfigFiles,
  toolDescription,
  TOOL_SCOPES,
} from './domain/tool-configuration';
import { canvasConfigurationProblems } from '../testing/canvas-configuration-check';

const read = (f: string) => JSON.parse(fs.readFileSync(`lti-config/${f}`, 'utf8'));

/** The names of every module the application loads, following imports of static and dynamic modules. */
function loadedModules(): Set<string> {
  const seen = new Set<string>();
  const visit = (m: unknown) => {
    if (!m) return;
    if (typeof m === 'function') {
      if (seen.has(m.name)) return;
      seen.add(m.name);
      for (const i of (Reflect.getMetadata('imports', m) as unknown[] | undefined) ?? []) visit(i);
      return;
    }
    if (typeof m === 'object' && 'module' in m) {
      visit((m as { module: unknown }).module);
      for (const i of (m as { imports?: unknown[] }).imports ?? []) visit(i);
    }
  };
  visit(
    AppModule.forRoot(
      loadConfig({
        DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/lectern',
        REDIS_URL: 'redis://127.0.0.1:6379',
        LTI_KEY: 'k'.repeat(32),
        SESSION_SECRET: 's'.repeat(32),
      }),
    ),
  );
  return seen;
}

/** The files an admin pastes are generated from the code that serves /lti/canvas.json, and say only what is true. */
describe('lti-config/', () => {
  it('holds exactly what `npm run lti:config` generates (the files and the served configuration agree)', () => {
    for (const [name, text] of Object.entries(ltiConfigFiles())) {
      expect(read(name), `lti-config/${name} is stale: run npm run lti:config`).toEqual(JSON.parse(text));
    }
  });

  it('the Canvas file passes the checks of the fields Canvas requires', () => {
    expect(canvasConfigurationProblems(read('canvas-developer-key.json'), EXAMPLE_PUBLIC_URL)).toEqual([]);
  });

  it('the check itself catches each mistake an admin would hit (so it can fail)', () => {
    const broken = (mutate: (c: any) => void) => {
      const c = canvasConfiguration(EXAMPLE_PUBLIC_URL) as any;
      mutate(c);
      return canvasConfigurationProblems(c, EXAMPLE_PUBLIC_URL).join('\n');
    };
    expect(broken((c) => delete c.redirect_uris)).toMatch(/redirect_uris/);
    expect(broken((c) => (c.extensions[0].privacy_level = 'anonymous'))).toMatch(/privacy_level/);
    expect(broken((c) => c.extensions[0].settings.placements.shift())).toMatch(/course_navigation/);
    expect(broken((c) => (c.extensions[0].settings.placements[0].visibility = 'public'))).toMatch(/members/);
    expect(broken((c) => (c.extensions[0].settings.placements[1].message_type = 'LtiResourceLinkRequest'))).toMatch(
      /link_selection/,
    );
    expect(broken((c) => (c.scopes = c.scopes.slice(1)))).toMatch(/scopes/);
    expect(broken((c) => (c.public_jwk_url = 'https://lectern.example.edu/keys'))).toMatch(/public_jwk_url/);
    expect(broken((c) => (c.target_link_uri = 'https://other.example/lti'))).toMatch(/target_link_uri/);
  });

  it('gives Moodle the same endpoints as Canvas', () => {
    const moodle = read('moodle-tool-settings.json');
    const endpoints = read('endpoints.json');
    expect(moodle['Initiate login URL']).toBe(endpoints.oidc_initiation_url);
    expect(moodle['Public keyset']).toBe(endpoints.public_jwk_url);
    expect(moodle['Redirection URI(s)']).toBe(endpoints.target_link_uri);
    expect([...endpoints.scopes].sort()).toEqual([...TOOL_SCOPES].sort());
  });

  it('gives the registration URL as the admin console issues it (with its invite), not a bare URL that is refused', () => {
    expect(read('endpoints.json').dynamic_registration_url).toMatch(
      /^https:\/\/lectern\.example\.edu\/lti\/register\?invite=/,
    );
  });

  it('describes only features whose module the application loads (no breakout rooms while there are none)', () => {
    const modules = loadedModules();
    expect(modules.has('LtiModule')).toBe(true); // the walk reaches the graph
    for (const f of ADVERTISED_FEATURES) expect(modules.has(f.module), `${f.text}: ${f.module}`).toBe(true);
    const description = toolDescription();
    for (const claim of [/breakout/i, /recording/i, /engagement/i])
      if (!ADVERTISED_FEATURES.some((f) => claim.test(f.text))) expect(description).not.toMatch(claim);
    for (const file of ['canvas-developer-key.json', 'endpoints.json'])
      expect(read(file).description).toBe(description);
    expect(read('moodle-tool-settings.json')['Tool description']).toBe(description);
  });
});
