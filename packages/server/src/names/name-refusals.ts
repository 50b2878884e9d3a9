import type { FrameError } from '@confab/protocol';
import { mixedScripts } from './scripts.js';

/*
 * How a new name (a guest's, a `nick`, a new account's) is refused beyond
 * the protocol's rules: names that could pass for someone else's.
 */

/** Why `name` cannot be taken as a new name whatever others hold (it mixes scripts), or undefined. */
export function newNameProblem(name: string): FrameError | undefined {
  const mixed = mixedScripts(name);
  return mixed === undefined ? undefined : { code: 'name_invalid', message: mixed };
}

/** The refusal of a name that looks like an account's. */
export function looksLikeAnAccount(name: string): FrameError {
  return {
    code: 'name_taken',
    message: `the name ${name} looks too much like the name of an account: choose another`,
  };
}

/** The refusal of a name that looks like the name of someone in the chat now. */
export function looksLikeSomeoneHere(name: string): FrameError {
  return {
    code: 'name_taken',
    message: `the name ${name} looks too much like the name of someone in the chat: choose another`,
  };
}
