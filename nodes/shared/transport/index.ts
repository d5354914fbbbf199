/** The shared transport every node of the package uses. */
export * from './types';
export { executeOperation } from './executor';
export type { ExecuteOptions } from './executor';
export { runForEachItem, runOperations } from './items';
export type { CustomApiCallHelp, OperationHandler } from './items';
export { sendRequest } from './request';
export { resolveUploadSource } from './upload';
export type { UploadSourceOptions } from './upload';
export type { FullResponse, RequestPlan } from './request';
export { encodePathSegment, buildPath } from './path';
export * as validators from './validators';
