import { createHash, randomBytes } from 'node:crypto';

/** A new session token: 256 random bits, in base64url (43 characters). Given once; only its hash is kept. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** What the store keeps of a token: its SHA-256, in hex. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A new session id: what lists and `revoke` name a session by (not a secret). */
export function newSessionId(): string {
  return randomBytes(6).toString('hex');
}

/** A new account id. */
export function newAccountId(): string {
  return randomBytes(12).toString('hex');
}
