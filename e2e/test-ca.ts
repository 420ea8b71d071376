import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * A throwaway certificate authority and one server certificate it signed, for a test that serves Lectern
 * over real TLS on names of its own (e.g. lectern.test): what a deployment gets from its CA, made with
 * openssl in `dir` (the caller removes it). Clients trust it the way they trust a private CA:
 * Node through NODE_EXTRA_CA_CERTS=`caFile`, Chromium through `--ignore-certificate-errors-spki-list`
 * with `spki` (the server key's hash; Chromium then takes the chain as valid, so the page is a secure
 * context and Secure / SameSite=None cookies behave as in production).
 */
export interface TestCertificates {
  /** The CA's certificate (PEM). */
  caFile: string;
  /** Server certificate, CA certificate and server key in one PEM (what HAProxy's `crt` takes). */
  serverPem: string;
  /** base64 SHA-256 of the server key's SubjectPublicKeyInfo. */
  spki: string;
}

export function makeTestCertificates(dir: string, names: string[]): TestCertificates {
  fs.mkdirSync(dir, { recursive: true });
  const f = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.crt'),
    '-days',
    '2',
    '-subj',
    `/CN=Lectern test CA ${crypto.randomBytes(4).toString('hex')}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  openssl('req', '-new', ...ec, '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', `/CN=${names[0]}`);
  fs.writeFileSync(
    f('server.ext'),
    [
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature',
      'extendedKeyUsage=serverAuth',
      `subjectAltName=${names.map((n) => `DNS:${n}`).join(',')}`,
    ].join('\n'),
  );
  openssl(
    'x509',
    '-req',
    '-in',
    f('server.csr'),
    '-CA',
    f('ca.crt'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    f('server.ext'),
    '-out',
    f('server.crt'),
  );
  const serverCrt = fs.readFileSync(f('server.crt'), 'utf8');
  fs.writeFileSync(
    f('server.pem'),
    serverCrt + fs.readFileSync(f('ca.crt'), 'utf8') + fs.readFileSync(f('server.key'), 'utf8'),
  );
  const spkiDer = new crypto.X509Certificate(serverCrt).publicKey.export({ type: 'spki', format: 'der' });
  return {
    caFile: f('ca.crt'),
    serverPem: f('server.pem'),
    spki: crypto.createHash('sha256').update(spkiDer).digest('base64'),
  };
}
