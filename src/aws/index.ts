// Re-exports of the aws area. Each construct lives in its own kebab-case file.
export {};
export * from './bindable-database';
export * from './rds-database';
export * from './database-engine-family';
export * from './database-engine';
export * from './database-preset';
export * from './independent-rds-props';
export * from './independent-rds-attributes';
export * from './independent-rds';
export * from './database-user';
export * from './secret-delivery';
export * from './database-connection-parameters';
export * from './beanstalk-database-binding';
export * from './rds-proxy';
export * from './replica-autoscaling';
export * from './secret-reference-for';
