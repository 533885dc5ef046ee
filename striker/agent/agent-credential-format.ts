/**
 * How an agent credential and a host id are spelled, shared by the host (checking its files) and
 * Striker (telling an agent credential from an API token before any lookup). A credential is
 * `sta_` and 43 base64url characters (32 random bytes, see striker/auth/secret-token.ts).
 */
export const agentCredentialPrefix = 'sta';

export const agentCredentialPattern = /^sta_[A-Za-z0-9_-]{43}$/;

/** A host id: the machine's MAC, lower case, with dashes (kickstart/host-id.ts makes them). */
export const hostIdPattern = /^[0-9a-f]{2}(?:-[0-9a-f]{2}){5}$/;

export function isAgentCredential(secret: string): boolean {
  return agentCredentialPattern.test(secret);
}
