export * from './specs-dir';
export * from './validator';
