import net from 'node:net';

/**
 * Which addresses Lectern may connect to on behalf of an LMS. Pure: no DNS, no sockets.
 * IPv4: everything is public except the special-purpose ranges (IANA registry). IPv6: only global
 * unicast (2000::/3) minus its special blocks; an IPv6 address that carries an IPv4 address (mapped,
 * NAT64 well-known prefix, 6to4) is judged by that IPv4 address, so `[::ffff:127.0.0.1]` is loopback.
 */
export class OutboundUrlError extends Error {}

export interface OutboundPolicy {
  /** Loopback and private addresses allowed (development and tests run everything on loopback). */
  allowPrivate: boolean;
  allowHttp: boolean;
}

const IPV4_SPECIAL: Array<[string, number]> = [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12],
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // TEST-NET-1
  ['192.88.99.0', 24], // 6to4 relay anycast (deprecated)
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // TEST-NET-2
  ['203.0.113.0', 24], // TEST-NET-3
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, and the broadcast address 255.255.255.255
];

/** Special blocks inside 2000::/3 (everything outside it is refused: ::, ::1, fc00::/7, fe80::/10, ff00::/8, 64:ff9b:1::/48 ...). */
const IPV6_SPECIAL_IN_GLOBAL: Array<[string, number]> = [
  ['2001::', 23], // IETF protocol assignments: Teredo 2001::/32, benchmarking 2001:2::/48, ORCHID ...
  ['2001:db8::', 32], // documentation
  ['3fff::', 20], // documentation (RFC 9637)
];

const ipv4Special = new net.BlockList();
for (const [a, p] of IPV4_SPECIAL) ipv4Special.addSubnet(a, p, 'ipv4');
const ipv6Global = new net.BlockList();
ipv6Global.addSubnet('2000::', 3, 'ipv6');
const ipv6Special = new net.BlockList();
for (const [a, p] of IPV6_SPECIAL_IN_GLOBAL) ipv6Special.addSubnet(a, p, 'ipv6');

/** The eight 16-bit groups of a valid IPv6 address (a dotted IPv4 tail included). */
function ipv6Groups(ip: string): number[] {
  let s = ip.toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number);
    s = `${s.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = s.split('::');
  const h = head ? head.split(':') : [];
  if (tail === undefined) return h.map((g) => parseInt(g, 16));
  const t = tail ? tail.split(':') : [];
  return [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t].map((g) => parseInt(g, 16));
}

const v4From = (hi: number, lo: number) => `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;

/** The IPv4 address an IPv6 address stands for: IPv4-mapped, NAT64 well-known prefix, 6to4. */
export function embeddedIpv4(ip: string): string | null {
  const g = ipv6Groups(ip);
  const zero = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zero(0, 5) && g[5] === 0xffff) return v4From(g[6], g[7]); // ::ffff:a.b.c.d
  if (g[0] === 0x64 && g[1] === 0xff9b && zero(2, 6)) return v4From(g[6], g[7]); // 64:ff9b::/96
  if (g[0] === 0x2002) return v4From(g[1], g[2]); // 2002:aabb:ccdd::/48
  return null;
}

/** True for any address Lectern must not reach in production: private, loopback, link-local, reserved, not an address. */
export function isPrivateAddress(ip: string): boolean {
  const address = ip.replace(/%.*$/, ''); // a zone id (fe80::1%eth0) says nothing about the range
  if (net.isIPv4(address)) return ipv4Special.check(address, 'ipv4');
  if (!net.isIPv6(address)) return true;
  const v4 = embeddedIpv4(address);
  if (v4) return isPrivateAddress(v4);
  return !ipv6Global.check(address, 'ipv6') || ipv6Special.check(address, 'ipv6');
}

/**
 * The checks that need no DNS: a URL, https (http only where allowed), and a host that is not a
 * private address literal. A host name is checked when it is resolved for the connection itself.
 */
export function assertOutboundUrl(raw: string | URL, policy: OutboundPolicy): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OutboundUrlError(`${String(raw)} is not a URL`);
  }
  if (url.protocol !== 'https:' && !(policy.allowHttp && url.protocol === 'http:')) {
    throw new OutboundUrlError(`${url.origin} must use https`);
  }
  // WHATWG URL parsing already turned 0x7f.1, 2130706433 and [::ffff:127.0.0.1] into canonical literals.
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!policy.allowPrivate && net.isIP(host) && isPrivateAddress(host)) {
    throw new OutboundUrlError(`${url.hostname} is a private, loopback or reserved address`);
  }
  return url;
}
