import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/config';
import { LtiService, registrationInput } from '../lti/lti.service';
import { deployLtijs } from '../lti/ltijs-provider';
import { dataSourceOptions, runMigrations } from '../platform/database';
import { DomainEvents } from '../platform/domain-events';
import { ValidationError } from '../platform/domain-error';
import { ActivityRepository } from '../tenancy/infra/activity.repository';
import { CourseRepository } from '../tenancy/infra/course.repository';
import { PlatformRepository } from '../tenancy/infra/platform.repository';
import { TenancyTransaction } from '../tenancy/infra/tenancy-transaction';
import { TenancyService } from '../tenancy/tenancy.service';

export const USAGE = `Registers an LMS (an LTI 1.3 platform) with Lectern, by hand.

  npm run lti:register -- --issuer URL --client-id ID --auth-url URL --token-url URL --jwks-url URL \\
                         --deployment ID [--deployment ID ...] [--name NAME]

  --issuer      the platform's issuer (Canvas: https://canvas.instructure.com; Moodle: the site URL)
  --client-id   the client id the platform gave Lectern (Canvas: the developer key id)
  --auth-url    the platform's OIDC authentication request URL
  --token-url   the platform's OAuth2 access token URL
  --jwks-url    the platform's public keyset URL
  --deployment  a deployment id (repeat for several)
  --name        a display name (default: the issuer's host)

Running it again for the same issuer and client id updates the endpoints and adds deployments.`;

export interface CliResult {
  code: number;
  output: string;
}

/** Parses and validates the arguments; exit code 2 with a message naming each bad flag. */
export function parseRegisterArgs(argv: string[]): { ok: true; input: unknown } | { ok: false; result: CliResult } {
  let values: Record<string, string | string[] | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        issuer: { type: 'string' },
        'client-id': { type: 'string' },
        'auth-url': { type: 'string' },
        'token-url': { type: 'string' },
        'jwks-url': { type: 'string' },
        deployment: { type: 'string', multiple: true },
        name: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (e) {
    return { ok: false, result: { code: 2, output: `${(e as Error).message}\n\n${USAGE}` } };
  }
  if (values.help) return { ok: false, result: { code: 0, output: USAGE } };
  const input = {
    issuer: values.issuer,
    clientId: values['client-id'],
    authUrl: values['auth-url'],
    tokenUrl: values['token-url'],
    jwksUrl: values['jwks-url'],
    deployments: values.deployment ?? [],
    ...(values.name ? { name: values.name } : {}),
  };
  const parsed = registrationInput.safeParse(input);
  if (!parsed.success) {
    const flag: Record<string, string> = {
      clientId: '--client-id',
      authUrl: '--auth-url',
      tokenUrl: '--token-url',
      jwksUrl: '--jwks-url',
      deployments: '--deployment',
    };
    const lines = parsed.error.issues.map((i) => {
      const key = String(i.path[0]);
      const given = (input as Record<string, unknown>)[key];
      return `  ${flag[key] ?? `--${key}`}: ${given === undefined || (Array.isArray(given) && given.length === 0) ? 'is required' : i.message}`;
    });
    return {
      ok: false,
      result: { code: 2, output: `Cannot register the platform:\n${[...new Set(lines)].join('\n')}\n\n${USAGE}` },
    };
  }
  return { ok: true, input: parsed.data };
}

/** Registers against the database directly, so it works whether the tool is running or not. */
export async function runLtiRegister(
  argv: string[],
  env: { databaseUrl: string; ltiKey: string; publicUrl: string },
): Promise<CliResult> {
  const parsed = parseRegisterArgs(argv);
  if (!parsed.ok) return parsed.result;
  await runMigrations(env.databaseUrl);
  const db = new DataSource(dataSourceOptions(env.databaseUrl));
  await db.initialize();
  try {
    const tenancy = new TenancyService(
      new PlatformRepository(db),
      new CourseRepository(db),
      new ActivityRepository(db),
      new TenancyTransaction(db),
    );
    const lti = new LtiService(db, { ltiKey: env.ltiKey } as AppConfig, tenancy, new DomainEvents());
    await deployLtijs(lti.provider);
    const platform = await lti.register(parsed.input);
    const tool = env.publicUrl.replace(/\/+$/, '');
    return {
      code: 0,
      output: [
        `Registered ${platform.name}: issuer ${platform.issuer}, client id ${platform.clientId}`,
        `Deployments: ${platform.deployments.join(', ')}`,
        '',
        'Give the LMS these tool endpoints:',
        `  OIDC login initiation URL: ${tool}/lti/login`,
        `  Redirect / target link URI: ${tool}/lti`,
        `  Public keyset (JWKS) URL:   ${tool}/lti/keys`,
      ].join('\n'),
    };
  } catch (e) {
    if (e instanceof ValidationError) return { code: 2, output: e.message };
    throw e;
  } finally {
    await db.destroy();
  }
}

if (require.main === module) {
  const need = (name: string) => {
    const v = process.env[name];
    if (!v) {
      console.error(`${name} is required but not set`);
      process.exit(2);
    }
    return v;
  };
  const parsed = parseRegisterArgs(process.argv.slice(2));
  if (!parsed.ok) {
    console.log(parsed.result.output);
    process.exit(parsed.result.code);
  }
  runLtiRegister(process.argv.slice(2), {
    databaseUrl: need('DATABASE_URL'),
    ltiKey: need('LTI_KEY'),
    publicUrl: process.env.PUBLIC_URL ?? `http://localhost:${process.env.PORT ?? 3000}`,
  })
    .then((r) => {
      (r.code === 0 ? console.log : console.error)(r.output);
      process.exit(r.code);
    })
    .catch((e) => {
      console.error(`Registration failed: ${e instanceof Error ? e.message : e}`);
      process.exit(1);
    });
}
