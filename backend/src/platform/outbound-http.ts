import dns from 'node:dns/promises';
import net from 'node:net';

/**
 * Guards for the URLs Lectern fetches on behalf of an LMS (OpenID configuration, registration, token,
 * roster and gradebook endpoints): in production only https, only public addresses, bodies capped.
 */
export class OutboundUrlError extends Error {}

export interface OutboundPolicy {
  /** Loopback and private addresses allowed (development and tests run everything on loopback). */
  allowPrivate: boolean;
  allowHttp: boolean;
}

export function isPrivateAddress(ip: string): boolean {
  if (net.isIPv4(ip)) {
    const [a, b] = ip.split('.').map(Number);
    return (
      a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) ||
      (a === 100 && b >= 64 && b <= 127) || a >= 224
    );
  }
  const v6 = ip.toLowerCase();
  if (v6.startsWith('::ffff:')) return isPrivateAddress(v6.slice(7));
  return v6 === '::' || v6 === '::1' || v6.startsWith('fc') || v6.startsWith('fd') || v6.startsWith('fe8') || v6.startsWith('fe9') || v6.startsWith('fea') || v6.startsWith('feb') || v6.startsWith('ff');
}

export async function assertFetchable(raw: string, policy: OutboundPolicy): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OutboundUrlError(`${raw} is not a URL`);
  }
  if (url.protocol !== 'https:' && !(policy.allowHttp && url.protocol === 'http:')) {
    throw new OutboundUrlError(`${url.origin} must use https`);
  }
  if (!policy.allowPrivate) {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const addresses = net.isIP(host) ? [host] : (await dns.lookup(host, { all: true }).catch(() => [])).map((a) => a.address);
    if (addresses.length === 0) throw new OutboundUrlError(`${url.hostname} does not resolve`);
    if (addresses.some(isPrivateAddress)) throw new OutboundUrlError(`${url.hostname} resolves to a private or loopback address`);
  }
  return url;
}

/** Reads a response body, refusing more than `maxBytes` without buffering it all first. */
export async function readCapped(res: Response, maxBytes: number): Promise<string> {
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
