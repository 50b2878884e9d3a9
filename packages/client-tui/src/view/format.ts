import type { LogEntry, ReactionCount, ReplyExcerpt } from '@confab/protocol';
import { nameColour } from './colors.js';
import { clockTime, escapeControls } from '@confab/protocol';
import stringWidth from 'string-width';
import { escapeTags, safeText } from './safe-text.js';
import { fitColumns } from './status.js';
import { wrapText } from './wrap.js';

/** A name in its colour (bold for oneself), made safe. */
export function coloredName(name: string, self: boolean): string {
  const colour = nameColour(name);
  const safe = safeText(name, { singleLine: true });
  return self
    ? `{bold}{${colour}-fg}${safe}{/${colour}-fg}{/bold}`
    : `{${colour}-fg}${safe}{/${colour}-fg}`;
}

/** Widest indent of a message's continuation lines, so a long name leaves room for its text. */
const MAX_INDENT = 24;

/**
 * Lays out text after a head of `headWidth` columns in a log `width`
 * columns wide: the text's own line breaks and its wrapping both continue
 * under the text, not under the time. Returns the lines' text (made safe,
 * tags escaped) and the indent of the lines after the first.
 */
function layOut(
  text: string,
  headWidth: number,
  width: number,
): { lines: string[]; indent: number } {
  const indent = Math.min(headWidth, MAX_INDENT, Math.max(0, width - 20));
  const lines = escapeControls(text)
    .split('\n')
    .flatMap((paragraph, i) =>
      wrapText(paragraph, i === 0 ? width - headWidth : width - indent, width - indent),
    )
    .map(escapeTags);
  return { lines, indent };
}

/**
 * The log line(s) of one entry, with blessed tags: time, coloured sender,
 * text; system lines dimmed; mentions highlighted. Lines are wrapped to the
 * log's `width` (in columns), and both wrapped lines and a text's own line
 * breaks are indented under the text. Every remote string is made safe
 * (`safeText`, `escapeControls`, `escapeTags`), so only our own tags are
 * ever tags.
 */
export function formatEntry(
  entry: LogEntry,
  width = Number.POSITIVE_INFINITY,
  locale?: string,
): string[] {
  const clock = clockTime(entry.ts, locale);
  const clockWidth = stringWidth(clock);
  const time = `{gray-fg}${clock}{/gray-fg}`;
  if (entry.kind === 'system') {
    const colour = entry.tone === 'error' ? 'red' : 'gray';
    // The time, then ` -- `.
    const { lines, indent } = layOut(entry.text, clockWidth + 4, width);
    return lines.map((line, i) =>
      i === 0
        ? `${time} {${colour}-fg}-- ${line}{/${colour}-fg}`
        : `${' '.repeat(indent)}{${colour}-fg}${line}{/${colour}-fg}`,
    );
  }
  const who = coloredName(entry.from, entry.self);
  if (entry.deleted) {
    // What is left of a deleted message: who sent it, and who deleted it when another did.
    const by =
      entry.deletedBy !== undefined && entry.deletedBy !== entry.from
        ? ` by ${safeText(entry.deletedBy, { singleLine: true })}`
        : '';
    return [`${time} {gray-fg}-- message from {/gray-fg}${who}{gray-fg} deleted${by}{/gray-fg}`];
  }
  const head = entry.action ? `{magenta-fg}*{/magenta-fg} ${who} ` : `<${who}> `;
  // The time and a space, then `<name> ` or `* name `.
  const nameWidth = stringWidth(escapeControls(entry.from, { singleLine: true }));
  // An edited message says so after its text.
  const text = entry.edited === undefined ? entry.text : `${entry.text} (edited)`;
  const { lines, indent } = layOut(text, clockWidth + 1 + nameWidth + 3, width);
  const body = lines.map((line, i) =>
    i === 0 ? `${time} ${head}${line}` : `${' '.repeat(indent)}${line}`,
  );
  const lit = entry.mention
    ? body.map((line) => `{yellow-bg}{black-fg}${stripColours(line)}{/black-fg}{/yellow-bg}`)
    : body;
  if (entry.reactions && entry.reactions.length > 0)
    lit.push(...reactionLines(entry.reactions, indent, width));
  return entry.reply ? [quotedLine(entry.reply, clockWidth, width), ...lit] : lit;
}

/**
 * The line(s) under a message with its reactions, under its text: each
 * emoji and its count, the reader's own in brackets and bold
 * (`[👍 2]  🎉 1`), wrapped at the log's width.
 */
function reactionLines(reactions: ReactionCount[], indent: number, width: number): string[] {
  const rows: string[] = [];
  let row = '';
  let used = 0;
  for (const { emoji, count, me } of reactions) {
    const text = `${escapeControls(emoji, { singleLine: true })} ${count}`;
    const columns = stringWidth(text) + (me ? 2 : 0);
    const chip = me
      ? `{bold}[${escapeTags(text)}]{/bold}`
      : `{gray-fg}${escapeTags(text)}{/gray-fg}`;
    if (used > 0 && indent + used + 2 + columns > width) {
      rows.push(row);
      row = '';
      used = 0;
    }
    row += used > 0 ? `  ${chip}` : chip;
    used += (used > 0 ? 2 : 0) + columns;
  }
  rows.push(row);
  return rows.map((line) => `${' '.repeat(indent)}${line}`);
}

/**
 * The line above a reply: what it answers, dimmed, under the time's width
 * (`      ┌ bob: start of their text…`), cut to the log's width.
 */
function quotedLine(reply: ReplyExcerpt, clockWidth: number, width: number): string {
  const from = escapeControls(reply.from, { singleLine: true });
  const text = reply.deleted ? 'message deleted' : escapeControls(reply.text, { singleLine: true });
  const quoted = fitColumns(`${from}: ${text}`, Math.max(8, width - clockWidth - 3));
  return `${' '.repeat(clockWidth)} {gray-fg}┌ ${escapeTags(quoted)}{/gray-fg}`;
}

/** Drops colour tags, for a line drawn on a highlight. */
function stripColours(line: string): string {
  return line.replace(/\{\/?(?:[a-z-]+-fg|bold)\}/g, '');
}

/** The line drawn where unread starts in a log: above the first message after the read marker. */
export function formatNewLine(): string {
  return '{red-fg}─── new messages ───{/red-fg}';
}

/** The line drawn where the day changes in a log (`─── Yesterday ───`). */
export function formatDay(label: string): string {
  return `{gray-fg}─── ${escapeTags(label)} ───{/gray-fg}`;
}
