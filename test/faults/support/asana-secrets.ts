/**
 * The Asana sentinels of the secrets suite, one set for the action node's file and the trigger's:
 * the personal access token, and for OAuth2 the client secret, access and refresh tokens, as the
 * emulator accepts them, and the credentials of each Authentication that carry them.
 */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import type { AsanaServer, AsanaServerOptions } from '../../../sandbox/asana/server';
import { oauthCredentials, tokenCredentials } from '../../nodes/AsanaAttachment/context';
import type { Auth } from '../../nodes/AsanaAttachment/context';
import { sentinel } from './secrets';
import type { Sentinel } from './secrets';

export const CLIENT_ID = 'asana-faults-client-id';
export const SECRET = {
	personalAccessToken: sentinel('asana-personal-access-token'),
	clientSecret: sentinel('asana-client-secret'),
	accessToken: sentinel('asana-oauth-access-token'),
	refreshToken: sentinel('asana-refresh-token'),
};
export const BASE_SENTINELS: Sentinel[] = [
	{ label: 'Asana personal access token', value: SECRET.personalAccessToken },
	{ label: 'Asana client secret', value: SECRET.clientSecret },
	{ label: 'Asana OAuth access token', value: SECRET.accessToken },
	{ label: 'Asana refresh token', value: SECRET.refreshToken },
];

/** The emulator's options that make it accept (only) the sentinels. */
export const SENTINEL_SERVER_OPTIONS: AsanaServerOptions = {
	personalAccessTokens: [SECRET.personalAccessToken],
	oauthAccessTokens: [SECRET.accessToken],
	refreshTokens: [SECRET.refreshToken],
	oauthClient: { clientId: CLIENT_ID, clientSecret: SECRET.clientSecret },
};

/** The credential of `auth`, holding the sentinels. */
export function sentinelCredentials(server: AsanaServer, auth: Auth): Record<string, ICredentialDataDecryptedObject> {
	if (auth === 'accessToken') return { asanaAttachmentApi: tokenCredentials(server, SECRET.personalAccessToken) };
	return {
		asanaAttachmentOAuth2Api: {
			...oauthCredentials(server, SECRET.accessToken),
			clientId: CLIENT_ID,
			clientSecret: SECRET.clientSecret,
			oauthTokenData: { access_token: SECRET.accessToken, refresh_token: SECRET.refreshToken, token_type: 'bearer' },
		},
	};
}

/** The token the credential of `auth` sends (as `Bearer …`). */
export function sentToken(auth: Auth): string {
	return auth === 'accessToken' ? SECRET.personalAccessToken : SECRET.accessToken;
}
