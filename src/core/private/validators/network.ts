import { isIPv4, isIPv6 } from 'node:net';
import { intRange } from './numbers';
import { Problem, show } from './problem';

// ---------------------------------------------------------------------------------------------
// Network

const HOST_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/**
 * A server host name or IP literal: no scheme, port, path, user or spaces; DNS labels of letters,
 * digits and '-', or an IPv4/IPv6 address.
 */
export function host(prop: string, value: string): Problem {
  if (typeof value !== 'string' || value.length === 0) {
    return `${prop} must not be empty (got ${show(value)}). Give the server's DNS name, e.g. 'db.example.com'.`;
  }
  if (/\s/.test(value)) return `${prop} must not contain spaces or other whitespace (got ${show(value)}). Remove them.`;
  if (value.includes('://')) {
    return `${prop} must be a bare host name without a scheme (got ${show(value)}). Drop the 'xxx://' prefix and give only the host, e.g. 'db.example.com'.`;
  }
  if (isIPv4(value) || isIPv6(value)) return undefined;
  if (/^[^:]+:\d+$/.test(value)) return `${prop} must not include a port (got ${show(value)}). Give the host alone and the port in 'port'.`;
  const hostLabels = value.replace(/\.$/, '').split('.');
  if (value.length > 253 || !hostLabels.every((l) => HOST_LABEL.test(l))) {
    return `${prop} must be a DNS name of letters, digits, '-' and '.' (labels of 1-63 characters, at most 253 in all) or an IP address (got ${show(value)}). `
      + "Remove characters such as '_', '/', '@' or ':'.";
  }
  return undefined;
}

/** A TCP port: a whole number 1-65535. */
export function port(prop: string, value: number): Problem {
  return intRange(prop, value, 1, 65535, 'PostgreSQL listens on 5432 by default.');
}

/** An absolute file path without spaces or control characters (a file inside a container). */
export function absolutePath(prop: string, value: string, example: string): Problem {
  if (typeof value !== 'string' || !value.startsWith('/') || /[\s\u0000-\u001f]/.test(value) || value.split('/').includes('..')) {
    return `${prop} must be an absolute file path without spaces or '..' (got ${show(value)}). Use e.g. ${show(example)}.`;
  }
  return undefined;
}

const ZONE_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * A DNS zone name written by hand: lower-case labels of letters, digits and '-', no trailing dot,
 * leaving room for `prefix` (such as `reader.`) within the 255 characters Route 53 allows.
 */
export function dnsZoneName(prop: string, value: string, prefix = ''): Problem {
  const labels = typeof value === 'string' ? value.split('.') : [];
  if (typeof value !== 'string' || value.length === 0 || value.length + prefix.length > 253 || !labels.every((l) => ZONE_LABEL.test(l))) {
    return `${prop} must be a DNS zone name of lower-case letters, digits, '-' and '.', labels of 1-63 characters, without a trailing dot (got ${show(value)}). `
      + "Use e.g. 'orders.db.internal'.";
  }
  return undefined;
}
