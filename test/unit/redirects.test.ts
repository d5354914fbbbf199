/** Which redirect is followed, and how (nodes/shared/transport/redirects.ts). */
import { MAX_REDIRECTS, RedirectRefusedError, nextHop } from '../../nodes/shared/transport/redirects';
import type { Hop } from '../../nodes/shared/transport/redirects';
import { originOf } from '../../nodes/shared/transport/url-guard';

const API = 'https://api.example.com/v1/attachments/1';
const origin = originOf(API);
const signed = (method: Hop['method'] = 'GET'): Hop => ({ url: API, method, withCredential: true, withHeaders: true, checkUrl: false });

describe('nextHop', () => {
	it('follows a redirect on the same origin as the same signed request', () => {
		for (const status of [301, 302, 303, 307, 308]) {
			expect(nextHop(signed(), status, '/v1/attachments/2', origin, 0, false)).toEqual({ ...signed(), url: 'https://api.example.com/v1/attachments/2' });
		}
		expect(nextHop(signed('DELETE'), 307, 'https://API.example.com:443/v1/x', origin, 0, false)).toMatchObject({ method: 'DELETE', withCredential: true });
	});

	it('follows a GET to another origin without the credential or the headers, its URL to be checked', () => {
		for (const location of ['https://files.example.net/f?sig=1', 'http://api.example.com/v1/x', 'https://api.example.com:8443/v1/x']) {
			expect(nextHop(signed(), 302, location, origin, 0, false)).toEqual({
				url: new URL(location).href,
				method: 'GET',
				withCredential: false,
				withHeaders: false,
				checkUrl: true,
			});
		}
	});

	it.each([
		['DELETE', 307],
		['DELETE', 308],
		['DELETE', 301],
		['PUT', 302],
	] as const)('never sends a %s redirected with %i to another origin', (method, status) => {
		expect(() => nextHop(signed(method), status, 'https://evil.example.org/x', origin, 0, false)).toThrow(RedirectRefusedError);
	});

	it('turns a POST into a GET on 301, 302 and 303 (as browsers do), and keeps it on 307 and 308', () => {
		expect(nextHop(signed('POST'), 303, 'https://evil.example.org/x', origin, 0, false)).toMatchObject({ method: 'GET', withCredential: false });
		expect(nextHop(signed('POST'), 302, '/v1/x', origin, 0, false)).toMatchObject({ method: 'GET', withCredential: true });
		expect(() => nextHop(signed('POST'), 307, 'https://evil.example.org/x', origin, 0, false)).toThrow(/POST is not sent to another host/);
	});

	it('never redirects a request with a body, not even on its own origin', () => {
		expect(() => nextHop(signed('PUT'), 307, '/v1/x', origin, 0, true)).toThrow(/a request with a body \(an upload, a form\) is not redirected/);
	});

	it('stops after the limit, and refuses what is not an http(s) URL', () => {
		expect(() => nextHop(signed(), 302, '/x', origin, MAX_REDIRECTS, false)).toThrow(/more than 5 redirects/);
		expect(() => nextHop(signed(), 302, 'file:///etc/passwd', origin, 0, false)).toThrow(/not an http\(s\) URL/);
		expect(() => nextHop(signed(), 302, 'http://[::1', origin, 0, false)).toThrow(/not a URL/);
	});

	it('names the host in its error, never the path or query', () => {
		try {
			nextHop(signed('DELETE'), 307, 'https://evil.example.org:8443/steal?token=abc', origin, 0, false);
			throw new Error('not refused');
		} catch (error) {
			expect((error as Error).message).toContain('evil.example.org:8443');
			expect((error as Error).message).not.toMatch(/steal|token=abc/);
		}
	});
});
