// Re-exports of the core area. Each concept lives in its own kebab-case file.
export {};
export * from './ssl-mode';
export * from './connection-details';
export * from './secret-keys';
export * from './database-env';
export * from './pg-names';
export * from './app-database-names';
export * from './init-sql';
export * from './ebextensions';
export * from './database-provider';
export * from './connection-model';
export * from './secret-reference';
export * from './deploy-safety';
