// Assertion helpers for the protocol and store tests.
import { expect } from '@open-wc/testing';
import { startSignIn, type SignInConfig, type Transaction } from '../../src/protocol/authorize.js';
import { parseFragment } from '../../src/protocol/callback.js';
import { AuthError } from '../../src/protocol/errors.js';
import { apiOf, issuerOf, providerFragment } from './idp.js';

/**
 * Runs `action` (sync or async) and checks that it fails with an AuthError of exactly `code`, whose message
 * matches `message` when given. Returns the error for further checks.
 */
export async function expectAuthError(action: () => unknown, code: string, message?: RegExp): Promise<AuthError> {
  let threw = false;
  let error: unknown;
  try {
    await action();
  } catch (caught) {
    threw = true;
    error = caught;
  }
  if (!threw) expect.fail(`expected an AuthError "${code}", but nothing was thrown`);
  expect(error, String(error)).to.be.instanceOf(AuthError);
  const authError = error as AuthError;
  expect(authError.code, `code of: ${authError.message}`).to.equal(code);
  if (message) expect(authError.message).to.match(message);
  return authError;
}

/** Starts a sign-in at tenant `t` (client `app`, audience = the tenant's API) and returns the provider's response. */
export async function providerResponse(t: string, config: SignInConfig = {}, extra = ''): Promise<{ url: string; transaction: Transaction; params: Record<string, string> }> {
  const { url, transaction } = await startSignIn({ issuer: issuerOf(t), clientId: 'app', audience: apiOf(t), ...config });
  const params = parseFragment(await providerFragment(url, extra));
  if (!params) throw new Error('The provider answered without a response in the fragment');
  return { url, transaction, params };
}

/** Base64url of a string (for hand-built tokens). */
export function b64url(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Decodes one base64url JWT segment as JSON. */
export function decodeSegment(segment: string): Record<string, unknown> {
  const binary = atob(segment.replace(/-/g, '+').replace(/_/g, '/'));
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)))) as Record<string, unknown>;
}
