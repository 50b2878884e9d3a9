import type { LogEntry } from '@confab/protocol';
import { nameColour } from './colors.js';
import { escapeTags, safeText } from './safe-text.js';

/** `HH:MM` in local time. */
export function clock(ts: number): string {
  const date = new Date(ts);
  return `${String(date.getHours()).padStart(2, '0')}:${String(date.getMinutes()).padStart(2, '0')}`;
}

/** A name in its colour (bold for oneself), made safe. */
export function coloredName(name: string, self: boolean): string {
  const colour = nameColour(name);
  const safe = safeText(name, { singleLine: true });
  return self
    ? `{bold}{${colour}-fg}${safe}{/${colour}-fg}{/bold}`
    : `{${colour}-fg}${safe}{/${colour}-fg}`;
}

/**
 * The log line(s) of one entry, with blessed tags: time, coloured sender,
 * text; system lines dimmed; mentions highlighted. A text's own line breaks
 * become indented continuation lines. Every remote string passes through
 * `safeText`, so only our own tags are ever tags.
 */
export function formatEntry(entry: LogEntry): string[] {
  const time = `{gray-fg}${clock(entry.ts)}{/gray-fg}`;
  if (entry.kind === 'system') {
    const colour = entry.tone === 'error' ? 'red' : 'gray';
    return safeText(entry.text)
      .split('\n')
      .map((line, i) =>
        i === 0
          ? `${time} {${colour}-fg}-- ${line}{/${colour}-fg}`
          : `      {${colour}-fg}   ${line}{/${colour}-fg}`,
      );
  }
  const lines = safeText(entry.text).split('\n');
  const who = coloredName(entry.from, entry.self);
  const head = entry.action ? `{magenta-fg}*{/magenta-fg} ${who} ` : `<${who}> `;
  const body = lines.map((line, i) => (i === 0 ? `${time} ${head}${line}` : `        ${line}`));
  return entry.mention
    ? body.map((line) => `{yellow-bg}{black-fg}${stripColours(line)}{/black-fg}{/yellow-bg}`)
    : body;
}

/** Drops colour tags, for a line drawn on a highlight. */
function stripColours(line: string): string {
  return line.replace(/\{\/?(?:[a-z-]+-fg|bold)\}/g, '');
}

/** The line drawn where the day changes in a log (`─── Yesterday ───`). */
export function formatDay(label: string): string {
  return `{gray-fg}─── ${escapeTags(label)} ───{/gray-fg}`;
}
