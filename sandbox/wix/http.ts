/**
 * HTTP helpers of the Wix emulator: replies in Wix's error shapes, on top of the helpers all
 * emulators share.
 */
import { jsonReply } from '../common/http';
import type { Reply } from '../common/http';

export * from '../common/http';
/** A reply with any content type (the shared `textReply`). */
export { textReply as reply } from '../common/http';

/** Wix's standard error with an application error ("About Errors"). */
export function applicationError(status: number, code: string, message: string, description = message): Reply {
	return jsonReply(status, { message, details: { applicationError: { code, description, data: {} } } });
}

export interface FieldViolation {
	field: string;
	description: string;
	violatedRule?: string;
	ruleName?: string;
	data?: Record<string, unknown>;
}

/** Wix's standard error with a validation error: 400 INVALID_ARGUMENT. */
export function validationError(violations: FieldViolation[]): Reply {
	const [first] = violations;
	return jsonReply(400, {
		message: `INVALID_ARGUMENT: "${first.field}" ${first.description}`,
		details: { validationError: { fieldViolations: violations } },
	});
}
