export * from '../../../sandbox/prism/specs-dir';
export * from './validator';
