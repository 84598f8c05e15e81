/**
 * The one set of validators, by domain. Every rule is written here once; constructs call these
 * and collect the results with `throwIfAny`. See problem.ts for the message contract.
 */
export * from './problem';
export * from './numbers';
export * from './kubernetes';
export * from './postgres';
export * from './network';
export * from './recovery';
export * from './ssm';
export * from './lambda-runtime';
export * from './object-storage';
export * from './prometheus';
export * from './tls';
export * from './rotation';
export * from './sql-reserved-words';
export * from './rds-identifier';
