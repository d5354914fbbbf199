/** The shared transport every node of the package uses. */
export * from './types';
export { apiBaseOf, executeOperation, readFileNameOverride } from './executor';
export type { ExecuteOptions } from './executor';
export { readConcurrency, runForEachItem, runOperations } from './items';
export { RollingBudget, renewalText } from './pacing';
export type { HeaderBudget, PacedRequest, PacingSpec } from './pacing';
export type { CustomApiCallHelp, NodeOperation, OperationHandler } from './items';
export { sendRequest } from './request';
export { protectError, protectOutput } from './secrets';
export { resolveBinaryUploadSource, resolveTextUploadSource, resolveUploadSource, textMimeTypeFor, uploadsFromText } from './upload';
export { isTextLike, readTextContentOptions, runsAsTool, textContentOf } from './text-content';
export type { UploadSourceOptions } from './upload';
export type { FullResponse, RequestPlan } from './request';
export { encodePathSegment, buildPath } from './path';
export { safeFileName } from './file-name';
export { recordFileDownload } from './record-file';
export type { RecordFileDownload } from './record-file';
export * as validators from './validators';
