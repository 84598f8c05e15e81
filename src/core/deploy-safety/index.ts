// Re-exports of the deploy-safety checker. Each concept lives in its own kebab-case file.
export * from './deploy-safety-change';
export * from './deploy-safety-finding';
export * from './deploy-safety-report';
export * from './deploy-safety-input';
export * from './deploy-safety';
