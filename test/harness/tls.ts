import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { toolOrSkip } from './tools';

/** A test CA, a server certificate it signs, and an unrelated CA (PEM files in `dir`). */
export interface TestCertificates {
  readonly dir: string;
  readonly caFile: string;
  readonly wrongCaFile: string;
  readonly certFile: string;
  readonly keyFile: string;
  /** Deletes the files. */
  remove(): void;
}

/**
 * Makes a CA and a server certificate for `dnsNames` with openssl (EC P-256, two days), plus a
 * second, unrelated CA for tests that must see verification fail. Undefined when openssl is
 * missing outside CI (under CI a missing openssl throws). Call before `usePostgres` needs them.
 */
export function makeTestCertificates(dnsNames: string[] = ['localhost']): TestCertificates | undefined {
  if (!toolOrSkip('openssl')) return undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdkdb-certs-'));
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const caExt = ['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'];
  ssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=cdk-db-platform test CA', ...caExt);
  ssl('req', '-x509', ...ec, '-keyout', 'wrong-ca.key', '-out', 'wrong-ca.crt', '-days', '2', '-subj', '/CN=unrelated CA', ...caExt);
  ssl('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', `/CN=${dnsNames[0]}`);
  fs.writeFileSync(path.join(dir, 'server.ext'), [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    'extendedKeyUsage=serverAuth',
    `subjectAltName=${dnsNames.map((n) => `DNS:${n}`).join(',')}`,
    '',
  ].join('\n'));
  ssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-out', 'server.crt', '-extfile', 'server.ext');
  fs.chmodSync(path.join(dir, 'server.key'), 0o600);
  return {
    dir,
    caFile: path.join(dir, 'ca.crt'),
    wrongCaFile: path.join(dir, 'wrong-ca.crt'),
    certFile: path.join(dir, 'server.crt'),
    keyFile: path.join(dir, 'server.key'),
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
