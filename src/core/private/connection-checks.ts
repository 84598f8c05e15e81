import { isIPv4, isIPv6 } from 'node:net';

/** Quotes a value for an error message so empty strings and spaces stay visible. */
export function show(value: unknown): string {
  return JSON.stringify(value);
}

const DNS_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/**
 * Checks a server host name or IP literal: no scheme, port, path, user or spaces; DNS labels of
 * letters, digits and '-', or an IPv4/IPv6 address.
 */
export function checkHost(owner: string, prop: string, host: string): void {
  if (host.length === 0) {
    throw new Error(`${owner}: ${prop} must not be empty. Give the server's DNS name, e.g. 'db.example.com'.`);
  }
  if (/\s/.test(host)) {
    throw new Error(`${owner}: ${prop} must not contain spaces or other whitespace (got ${show(host)}). Remove them.`);
  }
  if (host.includes('://')) {
    throw new Error(`${owner}: ${prop} must be a bare host name without a scheme (got ${show(host)}). Drop the 'xxx://' prefix and give only the host, e.g. 'db.example.com'.`);
  }
  if (isIPv4(host) || isIPv6(host)) return;
  if (/^[^:]+:\d+$/.test(host)) {
    throw new Error(`${owner}: ${prop} must not include a port (got ${show(host)}). Give the host alone and the port in 'port'.`);
  }
  const labels = host.replace(/\.$/, '').split('.');
  if (host.length > 253 || !labels.every((l) => DNS_LABEL.test(l))) {
    throw new Error(`${owner}: ${prop} must be a DNS name of letters, digits, '-' and '.' (labels of 1-63 characters, at most 253 in all) or an IP address (got ${show(host)}). `
      + 'Remove characters such as \'_\', \'/\', \'@\' or \':\'.');
  }
}

/** Checks a TCP port: a whole number 1-65535. */
export function checkPort(owner: string, prop: string, port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`${owner}: ${prop} must be a whole number from 1 to 65535 (got ${port}). PostgreSQL listens on 5432 by default.`);
  }
}

/** Checks an absolute file path for a CA bundle inside the app's container. */
export function checkCaPath(owner: string, prop: string, caPath: string): void {
  if (!caPath.startsWith('/') || /[\s\u0000-\u001f]/.test(caPath)) {
    throw new Error(`${owner}: ${prop} must be an absolute file path without spaces (got ${show(caPath)}). `
      + 'Mount the CA bundle into the container and give its path, e.g. \'/etc/ssl/certs/rds-global-bundle.pem\'.');
  }
}

/** Checks a whole number of at least `min`. */
export function checkWholeNumber(owner: string, prop: string, value: number, min: number, fix: string): void {
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`${owner}: ${prop} must be a whole number of at least ${min} (got ${value}). ${fix}`);
  }
}

/** Returns the input unless it is undefined or an unresolved CDK/cdk8s token (skipped checks). */
export function isToken(value: string): boolean {
  return value.includes('${Token[') || value.includes('#{Token[');
}
