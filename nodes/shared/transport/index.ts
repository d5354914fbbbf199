/** The shared transport every node of the package uses. */
export * from './types';
export { executeOperation } from './executor';
export type { ExecuteOptions } from './executor';
export { runForEachItem } from './items';
export { sendRequest } from './request';
export type { FullResponse, RequestPlan } from './request';
export { encodePathSegment, buildPath } from './path';
export * as validators from './validators';
