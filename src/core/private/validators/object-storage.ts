import { isIPv4 } from 'node:net';
import { Problem, show } from './problem';

// ---------------------------------------------------------------------------------------------
// S3-compatible object storage and AWS identities

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** An S3 bucket name: 3-63 lower-case letters, digits, '.' and '-', not an IP address, no '..'. */
export function s3BucketName(prop: string, value: string): Problem {
  if (typeof value !== 'string' || !BUCKET.test(value) || value.includes('..') || value.includes('.-') || value.includes('-.') || isIPv4(value)) {
    return `${prop} must be an S3 bucket name of 3-63 lower-case letters, digits, '.' and '-', starting and ending with a letter or digit (got ${show(value)}). `
      + "Give the bucket's name only, e.g. 'acme-db-backups', without 's3://' or a path.";
  }
  return undefined;
}

const PREFIX_SEGMENT = /^[A-Za-z0-9._-]+$/;

/** An object key prefix: '/'-separated segments of letters, digits, '.', '_' and '-', no empty, '.' or '..' segment. */
export function s3KeyPrefix(prop: string, value: string): Problem {
  const segments = typeof value === 'string' ? value.split('/') : [];
  if (typeof value !== 'string' || value.length === 0 || value.length > 512
    || !segments.every((s) => PREFIX_SEGMENT.test(s) && s !== '.' && s !== '..')) {
    return `${prop} must be a key prefix of '/'-separated names of letters, digits, '.', '_' and '-', without a leading or trailing '/' (got ${show(value)}). `
      + "Use e.g. 'production/postgres'.";
  }
  return undefined;
}

/** An http(s) endpoint URL without credentials, path, query or fragment (parsed with the WHATWG URL parser). */
export function endpointUrl(prop: string, value: string, example: string): Problem {
  let url: URL | undefined;
  try {
    url = typeof value === 'string' && !/\s/.test(value) ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.username !== '' || url.password !== ''
    || (url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '' || value.endsWith('?') || value.endsWith('#')) {
    return `${prop} must be an http:// or https:// URL of the endpoint alone, without credentials, path or query (got ${show(value)}). `
      + `Use e.g. ${show(example)}; keys go in a Secret, the bucket in 'bucket'.`;
  }
  return undefined;
}

/** A region name: lower-case letters, digits and '-' (AWS regions such as 'eu-west-1'; other stores use e.g. 'auto'). */
export function storageRegionName(prop: string, value: string): Problem {
  if (typeof value !== 'string' || !/^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/.test(value)) {
    return `${prop} must be a region name of lower-case letters, digits and '-' (got ${show(value)}). Use e.g. 'eu-west-1'.`;
  }
  return undefined;
}

/** A KMS key id, key ARN, alias or alias ARN (or another store's key name): 1-2048 characters without spaces. */
export function kmsKeyId(prop: string, value: string): Problem {
  if (typeof value !== 'string' || !/^[A-Za-z0-9:/_+=.@-]{1,2048}$/.test(value)) {
    return `${prop} must be a KMS key id, key ARN or alias of letters, digits and ':/_+=.@-' (got ${show(value)}). `
      + "Use e.g. 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab' or 'alias/db-backups'.";
  }
  return undefined;
}

/** An IAM role ARN, as IRSA's `eks.amazonaws.com/role-arn` annotation takes it. */
export function iamRoleArn(prop: string, value: string): Problem {
  if (typeof value !== 'string' || !/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/.test(value)) {
    return `${prop} must be an IAM role ARN (got ${show(value)}). Use e.g. 'arn:aws:iam::111122223333:role/db-backups'.`;
  }
  return undefined;
}
