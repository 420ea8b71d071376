import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { Agent, fetch as undiciFetch, type RequestInit, type Response } from 'undici';
import { assertOutboundUrl, isPrivateAddress, OutboundUrlError, type OutboundPolicy } from './outbound-http-policy';

export { assertOutboundUrl, isPrivateAddress, OutboundUrlError, type OutboundPolicy };
export type { Response as OutboundResponse };

/**
 * Every URL Lectern fetches on behalf of an LMS (OpenID configuration, registration, token, roster and
 * gradebook endpoints, and the platform JWKS ltijs reads at each launch) goes through here. The
 * address a host name resolves to is checked inside the connection's own DNS lookup, and the socket
 * connects to the address that was checked: there is no second lookup a rebinding DNS server could
 * answer differently.
 */

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | dns.LookupAddress[],
  family?: number,
) => void;

/** A `lookup` for net/tls connections: resolves once, refuses if any address is private, hands on what it checked. */
export function checkedLookup(policy: OutboundPolicy) {
  return (hostname: string, options: dns.LookupOptions, callback: LookupCallback): void => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const refused = policy.allowPrivate ? undefined : addresses.find((a) => isPrivateAddress(a.address));
      if (refused) {
        return callback(
          new OutboundUrlError(`${hostname} resolves to a private, loopback or reserved address (${refused.address})`),
          [],
        );
      }
      if (addresses.length === 0)
        return callback(Object.assign(new Error(`${hostname} does not resolve`), { code: 'ENOTFOUND' }), []);
      if (options.all) return callback(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

const dispatchers = new Map<string, Agent>();
const dispatcherFor = (policy: OutboundPolicy): Agent => {
  const key = `${policy.allowPrivate}/${policy.allowHttp}`;
  let agent = dispatchers.get(key);
  if (!agent) {
    agent = new Agent({ connect: { lookup: checkedLookup(policy) } });
    dispatchers.set(key, agent);
  }
  return agent;
};

/** The refusal buried in a fetch error ("fetch failed", cause: the socket's error), if there is one. */
function refusalIn(e: unknown): OutboundUrlError | null {
  for (let c: unknown = e, depth = 0; c && depth < 5; c = (c as { cause?: unknown }).cause, depth++) {
    if (c instanceof OutboundUrlError) return c;
  }
  return null;
}

/**
 * fetch under the outbound policy: https only in production, no private address literal, host names
 * checked at connection time, no redirects. A refused address throws OutboundUrlError.
 */
export async function outboundFetch(url: string | URL, init: RequestInit, policy: OutboundPolicy): Promise<Response> {
  const checked = assertOutboundUrl(url, policy);
  try {
    return await undiciFetch(checked, { ...init, redirect: 'error', dispatcher: dispatcherFor(policy) });
  } catch (e) {
    throw refusalIn(e) ?? e;
  }
}

/** Node's http/https agents under the policy: used by libraries that call http.request themselves (ltijs fetches platform JWKS with got). */
function policyAgent<T extends typeof http.Agent | typeof https.Agent>(
  Base: T,
  policy: OutboundPolicy,
): InstanceType<T> {
  const lookup = checkedLookup(policy);
  class PolicyAgent extends (Base as typeof http.Agent) {
    override createConnection(...args: Parameters<http.Agent['createConnection']>) {
      const [options, callback] = args;
      const host = (options.host ?? '').replace(/^\[|\]$/g, '');
      // An address literal (a redirect to one, say) is never looked up: check it here.
      if (!policy.allowPrivate && net.isIP(host) && isPrivateAddress(host)) {
        const refusal = new OutboundUrlError(`${host} is a private, loopback or reserved address`);
        process.nextTick(() => (callback as ((err: Error) => void) | undefined)?.(refusal));
        return undefined;
      }
      return super.createConnection(...args);
    }
  }
  return new PolicyAgent({ keepAlive: true, lookup } as http.AgentOptions) as InstanceType<T>;
}

export function outboundAgents(policy: OutboundPolicy): { http: http.Agent; https: https.Agent } {
  return { http: policyAgent(http.Agent, policy), https: policyAgent(https.Agent, policy) };
}

/**
 * Puts Node's global http and https agents under the policy (production: no private addresses).
 * Lectern's own calls use outboundFetch; this covers what ltijs fetches itself (got, no agent given).
 */
export function installOutboundPolicy(policy: OutboundPolicy): void {
  if (policy.allowPrivate) return;
  const agents = outboundAgents(policy);
  http.globalAgent = agents.http;
  https.globalAgent = agents.https;
}

/** Reads a response body, refusing more than `maxBytes` without buffering it all first. */
export async function readCapped(res: { body: ReadableStream<Uint8Array> | null }, maxBytes: number): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new OutboundUrlError(`the answer is larger than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
