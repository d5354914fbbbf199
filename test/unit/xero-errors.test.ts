import { parseXeroError } from '../../nodes/XeroAttachment/provider';

describe('Xero error bodies', () => {
	it('takes Message and every validation message', () => {
		expect(
			parseXeroError({
				ErrorNumber: 10,
				Type: 'ValidationException',
				Message: 'A validation exception occurred',
				Elements: [
					{ ValidationErrors: [{ Message: 'File name is too long' }, { Message: 'File is empty' }] },
					{ ValidationErrors: [{ Message: 'Another' }] },
				],
			}),
		).toEqual({
			message: 'A validation exception occurred',
			details: ['File name is too long', 'File is empty', 'Another'],
		});
	});

	it('reads the problem-details shape of auth errors', () => {
		expect(
			parseXeroError({ Type: null, Title: 'Unauthorized', Status: 401, Detail: 'AuthenticationUnsuccessful' }),
		).toEqual({ message: 'Unauthorized: AuthenticationUnsuccessful', details: [] });
	});

	it('keeps plain-text answers', () => {
		expect(parseXeroError("The resource you're looking for cannot be found")).toEqual({
			message: "The resource you're looking for cannot be found",
		});
	});

	it('gives nothing for bodies without a message', () => {
		expect(parseXeroError(undefined)).toEqual({});
		expect(parseXeroError({})).toEqual({ details: [] });
	});
});
