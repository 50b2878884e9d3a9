import { LIMITS } from '../limits.js';
import { foldName } from '../names.js';

/*
 * "Someone is typing", both ways. What others are typing is kept for
 * `typingShowMs` after their last news (a `typing` frame), and not after
 * they stop or their message arrives. What the user types is told at most
 * every `typingEveryMs` while a message is being written, and once more when
 * the line is emptied without sending.
 */

/** Conversations, and writers in one, that are remembered at once: bounds against a flood. */
const MAX_CONVERSATIONS = 64;
const MAX_WRITERS = 16;

/** Who is typing where, by conversation key. */
export class TypingState {
  /** Conversation key -> folded name -> the name as shown and when it stops showing. */
  private readonly writers = new Map<string, Map<string, { name: string; until: number }>>();

  /** `name` is typing in the conversation (or, `stopped`, no longer). Returns whether that changes what shows. */
  heard(key: string, name: string, stopped: boolean, now: number): boolean {
    if (stopped) return this.said(key, name);
    let here = this.writers.get(key);
    if (!here) {
      if (this.writers.size >= MAX_CONVERSATIONS) this.writers.clear();
      here = new Map();
      this.writers.set(key, here);
    }
    const folded = foldName(name);
    const showing = (here.get(folded)?.until ?? 0) > now;
    if (!here.has(folded) && here.size >= MAX_WRITERS) return false;
    here.set(folded, { name, until: now + LIMITS.typingShowMs });
    return !showing;
  }

  /** A message from `name` came, or they stopped: they are not typing. Returns whether that changes what shows. */
  said(key: string, name: string): boolean {
    const here = this.writers.get(key);
    if (!here?.delete(foldName(name))) return false;
    if (here.size === 0) this.writers.delete(key);
    return true;
  }

  /** Who is typing in the conversation now, first to start first. */
  names(key: string, now: number): string[] {
    const here = this.writers.get(key);
    if (!here) return [];
    return [...here.values()].filter((w) => w.until > now).map((w) => w.name);
  }

  /**
   * Forgets whoever stopped showing; returns the keys whose writers changed
   * and when the next one stops showing (undefined: no one is typing).
   */
  expire(now: number): { changed: string[]; next: number | undefined } {
    const changed: string[] = [];
    let next: number | undefined;
    for (const [key, here] of this.writers) {
      for (const [folded, writer] of here) {
        if (writer.until <= now) {
          here.delete(folded);
          if (!changed.includes(key)) changed.push(key);
        } else next = Math.min(next ?? writer.until, writer.until);
      }
      if (here.size === 0) this.writers.delete(key);
    }
    return { changed, next };
  }

  /** The link dropped: whatever was known is stale. Returns the keys that showed writers. */
  clear(): string[] {
    const keys = [...this.writers.keys()];
    this.writers.clear();
    return keys;
  }
}

/** Who is typing, in words: "bob is typing…", "bob and cy are typing…", "bob, cy and 2 others are typing…". */
export function typingText(names: readonly string[]): string {
  if (names.length === 0) return '';
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  if (names.length === 3) return `${names[0]}, ${names[1]} and ${names[2]} are typing…`;
  return `${names[0]}, ${names[1]} and ${names.length - 2} others are typing…`;
}

/** What the user's typing asks to be told: typing, stopped, or nothing now. */
export type TypingNews = 'typing' | 'stopped' | undefined;

/** When to tell others that the user is typing, from what is in the input line. */
export class TypingTeller {
  /** The conversation told last, and when. */
  private told: { key: string; at: number } | undefined;

  /**
   * The input line of conversation `key` is now `text`: whether to tell
   * that the user is typing (a message, not a command, being written), or
   * stopped (the line was emptied after telling), or nothing.
   */
  input(key: string, text: string, now: number): TypingNews {
    const writing = text.trim() !== '' && !text.startsWith('/');
    const told = this.told;
    if (!writing) {
      if (!told || told.key !== key || now - told.at >= LIMITS.typingShowMs) return undefined;
      this.told = undefined;
      return 'stopped';
    }
    if (told && told.key === key && now - told.at < LIMITS.typingEveryMs) return undefined;
    this.told = { key, at: now };
    return 'typing';
  }

  /** A message was sent: it ends the typing (the others clear it when it comes). */
  sent(): void {
    this.told = undefined;
  }
}
