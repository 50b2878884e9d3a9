import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { ScryptOptions } from 'node:crypto';

/** scrypt's cost: N = 2^log2N, block size r, parallelism p. Stored with each hash. */
export interface PasswordCost {
  log2N: number;
  r: number;
  p: number;
}

/**
 * N = 2^14, r = 8, p = 1: 16 MiB and some 25-60 ms a hash (what Django
 * uses). A memory-hard cost makes a guess expensive for an attacker with a
 * copy of the store; the server pays it once a login.
 */
export const DEFAULT_PASSWORD_COST: PasswordCost = { log2N: 14, r: 8, p: 1 };

const SALT_BYTES = 16;
const KEY_BYTES = 32;

/** scrypt on libuv's thread pool: the event loop goes on while a password is hashed. */
function derive(password: string, salt: Buffer, cost: PasswordCost): Promise<Buffer> {
  const N = 2 ** cost.log2N;
  const options: ScryptOptions = {
    N,
    r: cost.r,
    p: cost.p,
    maxmem: 256 * N * cost.r + 1024 * 1024,
  };
  // The same password typed composed or decomposed is the same password.
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, options, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

/** The stored form of a password: `scrypt$log2N$r$p$salt$key`, salt and key in base64url. */
export async function hashPassword(
  password: string,
  cost: PasswordCost = DEFAULT_PASSWORD_COST,
): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, cost);
  return [
    'scrypt',
    cost.log2N,
    cost.r,
    cost.p,
    salt.toString('base64url'),
    key.toString('base64url'),
  ].join('$');
}

/** Whether a stored hash was made at another cost than `cost` (and should be made again). */
export function madeAtOtherCost(stored: string, cost: PasswordCost): boolean {
  const [, log2N, r, p] = stored.split('$');
  return Number(log2N) !== cost.log2N || Number(r) !== cost.r || Number(p) !== cost.p;
}

/**
 * Whether `password` matches a stored hash, compared in constant time. A
 * malformed hash matches nothing (after the same work, so it takes as long).
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  const [scheme, log2N, r, p, salt, key] = parts;
  const cost = { log2N: Number(log2N), r: Number(r), p: Number(p) };
  const wellFormed =
    parts.length === 6 &&
    scheme === 'scrypt' &&
    Number.isInteger(cost.log2N) &&
    cost.log2N >= 1 &&
    cost.log2N <= 22 &&
    Number.isInteger(cost.r) &&
    Number.isInteger(cost.p);
  const expected = Buffer.from(key ?? '', 'base64url');
  const actual = await derive(
    password,
    Buffer.from(salt ?? '', 'base64url'),
    wellFormed ? cost : DEFAULT_PASSWORD_COST,
  );
  return wellFormed && expected.length === actual.length && timingSafeEqual(expected, actual);
}
