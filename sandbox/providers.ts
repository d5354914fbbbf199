/**
 * The sandboxes `npm start`, `npm run sandbox` and the e2e suite start, in this order.
 * Adding a provider = one module beside this one (modelled on ./xero.ts) and one entry here.
 */
import { asanaProvider } from './asana/demo';
import { modelProvider } from './model/demo';
import { sunshineProvider } from './sunshine/demo';
import type { SandboxProvider } from './types';
import { wixProvider } from './wix/demo';
import { xeroProvider } from './xero/demo';

/** `model` is not an API of a node: a scripted OpenAI-compatible model for the AI agent example. */
export const PROVIDERS: readonly SandboxProvider[] = [xeroProvider, asanaProvider, wixProvider, sunshineProvider, modelProvider];

export type ProviderName = (typeof PROVIDERS)[number]['name'];
