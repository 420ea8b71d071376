import { Provider, type LtijsProvider } from 'ltijs';

/**
 * ltijs exports one shared Provider instance; Lectern makes its own instance of the same class so
 * that each application (and each test app) has its own setup, database plugin and callbacks.
 *
 * Options, and why:
 * - ltiaas: true: after validating the id_token ltijs hands the launch straight to our handler in the
 *   same request, with no ltijs session cookie and no redirect, so launches work inside an LMS iframe
 *   where third-party cookies are blocked.
 * - devMode: true: ltijs does not require its state cookie. Lectern binds the launch to the browser
 *   itself (its own login record, single-use state, nonce check, cookie or LTI client-side storage, or a
 *   new window): see lti-routes.ts. Nothing else in ltijs depends on this flag.
 */
export function createLtijsProvider(key: string, store: unknown): LtijsProvider {
  const ProviderClass = (Provider as unknown as { constructor: new () => LtijsProvider }).constructor;
  const lti = new ProviderClass();
  lti.setup(
    key,
    { plugin: store },
    {
      appRoute: '/',
      loginRoute: '/login',
      keysetRoute: '/keys',
      dynRegRoute: '/register',
      devMode: true,
      ltiaas: true,
      tokenMaxAge: 60,
      cors: false,
      cookies: { secure: true, sameSite: 'None' },
    },
  );
  return lti;
}

/** Deploys ltijs in serverless mode (no listener of its own) without leaving its SIGINT handler behind. */
export async function deployLtijs(lti: LtijsProvider): Promise<void> {
  const before = new Set(process.listeners('SIGINT'));
  await lti.deploy({ serverless: true, silent: true });
  for (const l of process.listeners('SIGINT')) if (!before.has(l)) process.removeListener('SIGINT', l);
}
