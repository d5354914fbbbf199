/**
 * The owner account `npm start` gives its n8n (N8N_INSTANCE_OWNER_*): a local demo login, not a
 * secret. Its own module so that the editor suite can log in without loading scripts/start/main.ts.
 */
export const DEMO_OWNER = { email: 'demo@example.com', password: 'Sandbox-demo-1', firstName: 'Demo', lastName: 'User' };
