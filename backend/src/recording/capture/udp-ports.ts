import dgram from 'node:dgram';

const bind = (port: number, ip: string) =>
  new Promise<dgram.Socket | null>((resolve) => {
    const s = dgram.createSocket({ type: 'udp4', reuseAddr: false });
    s.once('error', () => {
      s.close();
      resolve(null);
    });
    s.bind(port, ip, () => resolve(s));
  });

/**
 * Two free consecutive UDP ports on `ip` (FFmpeg takes RTP on the first and RTCP on the next). They are
 * free when this returns; the caller hands them to FFmpeg at once.
 */
export async function freePortPair(ip = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = await bind(0, ip);
    if (!first) continue;
    const port = (first.address() as { port: number }).port;
    const second = port < 65535 ? await bind(port + 1, ip) : null;
    first.close();
    second?.close();
    if (second) return port;
  }
  throw new Error('no free pair of UDP ports for a recording capture');
}

/** Resolves true once something listens on the UDP port (binding it fails), false after `timeoutMs`. */
export async function udpPortTaken(port: number, ip: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await bind(port, ip);
    if (!s) return true;
    s.close();
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 30));
  }
}
