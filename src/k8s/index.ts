// Re-exports of the k8s area. Each construct lives in its own kebab-case file.
export {};
