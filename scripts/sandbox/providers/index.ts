/**
 * The sandboxes `npm start`, `npm run sandbox` and the e2e suite start, in this order.
 * Adding a provider = one module beside this one (modelled on ./xero.ts) and one entry here.
 */
import { asanaProvider } from './asana';
import { sunshineProvider } from './sunshine';
import type { SandboxProvider } from './types';
import { wixProvider } from './wix';
import { xeroProvider } from './xero';

export const PROVIDERS: readonly SandboxProvider[] = [xeroProvider, asanaProvider, wixProvider, sunshineProvider];

export type ProviderName = (typeof PROVIDERS)[number]['name'];
