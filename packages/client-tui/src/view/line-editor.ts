import { carriesSecret, foldName } from '@confab/protocol';

/** Lines kept for up/down recall. */
const HISTORY_LIMIT = 200;
/** Longest input kept (a paste longer than a message can be is cut here, not sent in pieces). */
const MAX_INPUT_CHARS = 16_384;

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/**
 * The input line: text and cursor, editing keys, recall of what was typed
 * (up/down) and name completion (Tab). Pure: the screen only draws it.
 */
export class LineEditor {
  text = '';
  /** Cursor position, as an index into `text` (never inside a surrogate pair). */
  cursor = 0;
  private readonly history: string[] = [];
  /** Position in history while recalling; history.length means the line being typed. */
  private recall = 0;
  private draft = '';
  private completion:
    | { matches: string[]; index: number; start: number; end: number; startSuffix: string }
    | undefined;

  insert(input: string): void {
    const room = MAX_INPUT_CHARS - this.text.length;
    if (room <= 0) return;
    const piece = input.slice(0, room);
    this.text = this.text.slice(0, this.cursor) + piece + this.text.slice(this.cursor);
    this.cursor += piece.length;
    this.completion = undefined;
  }

  backspace(): void {
    if (this.cursor === 0) return;
    const from = this.stepBack(this.cursor);
    this.text = this.text.slice(0, from) + this.text.slice(this.cursor);
    this.cursor = from;
    this.completion = undefined;
  }

  deleteForward(): void {
    if (this.cursor >= this.text.length) return;
    const to = this.stepForward(this.cursor);
    this.text = this.text.slice(0, this.cursor) + this.text.slice(to);
    this.completion = undefined;
  }

  left(): void {
    this.cursor = this.stepBack(this.cursor);
  }

  right(): void {
    this.cursor = this.stepForward(this.cursor);
  }

  home(): void {
    this.cursor = 0;
  }

  end(): void {
    this.cursor = this.text.length;
  }

  /** Ctrl-U: deletes from the start of the line to the cursor. */
  killToStart(): void {
    this.text = this.text.slice(this.cursor);
    this.cursor = 0;
  }

  /** Ctrl-W: deletes the word before the cursor. */
  killWordBack(): void {
    const before = this.text.slice(0, this.cursor);
    const start = before.replace(/\S+\s*$/u, '').length;
    this.text = this.text.slice(0, start) + this.text.slice(this.cursor);
    this.cursor = start;
  }

  /** Up: the line typed before (the line being typed is kept). */
  previous(): void {
    if (this.recall === 0) return;
    if (this.recall === this.history.length) this.draft = this.text;
    this.recall--;
    this.setText(this.history[this.recall]!);
  }

  /** Down: the line typed after, and at the end the line that was being typed. */
  next(): void {
    if (this.recall >= this.history.length) return;
    this.recall++;
    this.setText(this.recall === this.history.length ? this.draft : this.history[this.recall]!);
  }

  /** Takes the line for sending: clears the editor and remembers the line (not one with a password). */
  take(): string {
    const line = this.text;
    if (line.trim() !== '' && this.history.at(-1) !== line && !carriesSecret(line)) {
      this.history.push(line);
      if (this.history.length > HISTORY_LIMIT) this.history.shift();
    }
    this.recall = this.history.length;
    this.draft = '';
    this.setText('');
    return line;
  }

  /** Puts a line back to be mended (one that could not be sent): the line typed, cursor at its end. */
  restore(line: string): void {
    this.recall = this.history.length;
    this.setText(line);
  }

  /** The word before the cursor, and whether it starts the line: what Tab completes. */
  wordBeforeCursor(): { word: string; first: boolean } {
    const before = this.text.slice(0, this.cursor);
    const word = /[^\s]*$/u.exec(before)![0];
    return { word, first: before.length === word.length };
  }

  /**
   * Tab: completes the word before the cursor from `names` (ignoring case);
   * Tab again cycles through the matches. At the start of the line a name
   * gets `: ` after it (`startSuffix`: a command takes a space), elsewhere a space.
   */
  complete(names: readonly string[], startSuffix = ': '): void {
    if (this.completion && this.completion.matches.length > 0) {
      const c = this.completion;
      c.index = (c.index + 1) % c.matches.length;
      this.replaceCompletion(c);
      return;
    }
    const before = this.text.slice(0, this.cursor);
    const word = /[^\s]*$/u.exec(before)![0];
    const start = this.cursor - word.length;
    const stem = word.replace(/^@/, '');
    const prefix = word.length - stem.length;
    const folded = foldName(stem);
    const matches = [...new Set(names)]
      .filter((n) => foldName(n).startsWith(folded))
      .sort((a, b) => foldName(a).localeCompare(foldName(b)));
    if (matches.length === 0) return;
    this.completion = {
      matches,
      index: 0,
      start: start + prefix,
      end: this.cursor,
      startSuffix,
    };
    this.replaceCompletion(this.completion);
  }

  private replaceCompletion(c: {
    matches: string[];
    index: number;
    start: number;
    end: number;
    startSuffix: string;
  }): void {
    const suffix = c.start === 0 ? c.startSuffix : ' ';
    const insert = c.matches[c.index]! + suffix;
    this.text = this.text.slice(0, c.start) + insert + this.text.slice(c.end);
    this.cursor = c.start + insert.length;
    c.end = this.cursor;
  }

  private setText(text: string): void {
    this.text = text;
    this.cursor = text.length;
    this.completion = undefined;
  }

  private stepBack(index: number): number {
    if (index <= 0) return 0;
    return index >= 2 &&
      isLowSurrogate(this.text.charCodeAt(index - 1)) &&
      isHighSurrogate(this.text.charCodeAt(index - 2))
      ? index - 2
      : index - 1;
  }

  private stepForward(index: number): number {
    if (index >= this.text.length) return this.text.length;
    return isHighSurrogate(this.text.charCodeAt(index)) &&
      isLowSurrogate(this.text.charCodeAt(index + 1))
      ? index + 2
      : index + 1;
  }
}
