import type { ErrorFrame, RawFrame } from '@confab/protocol';
import { LIMITS, PROTOCOL_VERSION } from '@confab/protocol';

/**
 * The talk before a plain-text person is in: a name, then, when the name
 * is an account's, its password (or, on a server that takes no guests, a
 * password to make it theirs). An empty line at a password prompt goes
 * back to choosing a name. The terminal echoes what is typed, password too:
 * the prompts say so.
 */
export class PlainLogin {
  private step: 'name' | 'answer' | 'password' | 'new-password' = 'name';
  /** What the `hello` awaiting its answer sent: a name alone, or a password (to make an account). */
  private sent: 'name' | 'password' | 'new-password' = 'name';
  private name = '';

  /** Whether the next line belongs to this talk (the person is not in yet, and no answer is awaited). */
  get expectsLine(): boolean {
    return this.step !== 'answer';
  }

  /** The `hello` a line stands for, or the lines to say back when it stands for none. */
  line(text: string): RawFrame | string[] {
    const step = this.step;
    if (step === 'name') {
      this.name = text.trim();
      this.step = 'answer';
      this.sent = 'name';
      return { type: 'hello', version: PROTOCOL_VERSION, name: this.name, client: 'plain-text' };
    }
    if (text.trim() === '') {
      this.step = 'name';
      return ['Pick another name:'];
    }
    this.step = 'answer';
    this.sent = step === 'new-password' ? 'new-password' : 'password';
    return {
      type: 'hello',
      version: PROTOCOL_VERSION,
      name: this.name,
      client: 'plain-text',
      password: text,
      ...(step === 'new-password' ? { register: true } : {}),
    };
  }

  /** The prompt after a refused `hello`: what the next line will be taken for. */
  refused(error: ErrorFrame): string[] {
    const again = 'or press Enter to pick another name (what you type shows):';
    if (error.code === 'name_taken' && error.account) {
      this.step = 'password';
      return [`Type the password of ${this.name}, ${again}`];
    }
    if (error.code === 'auth_failed') {
      this.step = 'password';
      return [`Type the password again, ${again}`];
    }
    // A server that takes no guests; or a password too short to make the account.
    if (
      error.code === 'auth_required' ||
      (error.code === 'invalid_field' && this.sent === 'new-password')
    ) {
      this.step = 'new-password';
      return [
        `To chat here, ${this.name} must be an account: type a password for it (${LIMITS.minPasswordChars} characters at least), ${again}`,
      ];
    }
    this.step = 'name';
    return ['Pick another name:'];
  }
}
