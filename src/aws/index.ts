// Re-exports of the aws area. Each construct lives in its own kebab-case file.
export {};
export * from './bindable-database';
export * from './database-engine';
export * from './database-preset';
export * from './independent-rds-props';
export * from './independent-rds';
export * from './beanstalk-db-binding';
export * from './rds-proxy';
export * from './replica-autoscaling';
export * from './secret-reference-for';
