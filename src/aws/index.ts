// Re-exports of the aws area. Each construct lives in its own kebab-case file.
export {};
