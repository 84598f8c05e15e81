// Re-exports of the k8s area. Each construct lives in its own kebab-case file.
export {};
export * from './app-database-secret';
export * from './database-init-job';
export * from './generated-password-secret';
export * from './database-network-policy';
export * from './postgres-backup';
export * from './pgbouncer';
export * from './shared-postgres-props';
export * from './shared-postgres';
export * from './database-env';
export * from './external-database-secret';
export * from './ca-bundle';
export * from './wait-for-database';
export * from './cloud-sql-proxy';
export * from './roll-on-change';
export * from './app-password-rotation';

