// Re-exports of the core area. Each construct lives in its own kebab-case file.
export {};
export * from './secret-keys';
export * from './pg-names';
export * from './init-sql';
export * from './secret-bootstrap';
export * from './rds-validation';
export * from './ebextensions';
export * from './database-provider';
export * from './connection-model';
export * from './secret-reference';
export * from './replica-scaling-decision';
