import { LIMITS } from './limits.js';

/** A check that either passes with the normalised value or fails with a reason for people. */
export type Check<T> = { ok: true; value: T } | { ok: false; reason: string };

// White space, control (Cc), format (Cf), surrogate (Cs), private use (Co)
// and unassigned (Cn) code points make names that look alike or cannot be seen.
const FORBIDDEN_IN_NAME = /[\p{White_Space}\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}]/u;
// Characters that show as nothing though they are letters or symbols: the
// default-ignorable ones (the Hangul fillers U+3164, U+115F, U+1160, U+FFA0)
// and the blank Braille pattern U+2800. A name of them looks like no name,
// or like another name with nothing added.
const INVISIBLE_IN_NAME = /[\p{Default_Ignorable_Code_Point}\u2800]/u;
const ROOM_PATTERN = /^#[A-Za-z0-9_-]{1,64}$/;

/**
 * Checks a user name: 1 to 32 code points after NFC, no white space, control
 * or format characters, not starting with `#`. Returns the NFC form.
 */
export function checkName(raw: unknown): Check<string> {
  if (typeof raw !== 'string') return { ok: false, reason: 'name must be a string' };
  if (!raw.isWellFormed()) return { ok: false, reason: 'name is not valid Unicode' };
  const name = raw.normalize('NFC');
  if (name.length === 0) return { ok: false, reason: 'name must not be empty' };
  // Count code points, not UTF-16 units, without allocating an array.
  let codePoints = 0;
  for (const _ of name) codePoints++;
  if (codePoints > LIMITS.maxNameCodePoints) {
    return { ok: false, reason: `name must be at most ${LIMITS.maxNameCodePoints} characters` };
  }
  if (name.startsWith('#')) return { ok: false, reason: 'name must not start with #' };
  if (FORBIDDEN_IN_NAME.test(name) || INVISIBLE_IN_NAME.test(name)) {
    return { ok: false, reason: 'name must not contain spaces, control or invisible characters' };
  }
  return { ok: true, value: name };
}

/**
 * The key two names are compared by: NFKC, then full case folding, then
 * NFKC again (case mapping can decompose). NFKC makes compatibility forms
 * one with what they stand for (full-width `ａｄｍｉｎ`, mathematical bold
 * `𝐚𝐝𝐦𝐢𝐧` and `admin` are one name); lower, upper, lower gives the full
 * folding for the cases that matter (`Σ`, `σ`, `ς` -> `σ`; `ß` and `ẞ` ->
 * `ss`; `ﬃ` -> `ffi`) and is idempotent. Registries key on this and keep the
 * display name beside it.
 */
export function foldName(name: string): string {
  return name.normalize('NFKC').toLowerCase().toUpperCase().toLowerCase().normalize('NFKC');
}

/** Checks a room name: `#` then 1 to 64 of `A-Z a-z 0-9 - _`. */
export function checkRoom(raw: unknown): Check<string> {
  if (typeof raw !== 'string') return { ok: false, reason: 'room must be a string' };
  if (!ROOM_PATTERN.test(raw)) {
    return {
      ok: false,
      reason: 'room must be # followed by 1 to 64 letters, digits, - or _ (for example #general)',
    };
  }
  return { ok: true, value: raw };
}

/** The key two room names are compared by (rooms are ASCII). */
export function foldRoom(room: string): string {
  return room.toLowerCase();
}

/** True when `room` is a valid room name. */
export function isRoomName(room: unknown): room is string {
  return typeof room === 'string' && ROOM_PATTERN.test(room);
}
