import { describe, expect, it } from 'vitest';
import type { LogEntry, RoomConversation } from '@confab/protocol';
import { ChatModel, maskSecrets } from '@confab/protocol';
import { USAGE, parseTuiArgs } from '../src/args.js';
import { nameColour } from '../src/view/colors.js';
import { formatEntry } from '../src/view/format.js';
import { renderInput } from '../src/view/input-line.js';
import { keyAction } from '../src/view/keys.js';
import { LineEditor } from '../src/view/line-editor.js';
import { safeText } from '../src/view/safe-text.js';
import { paneWidths } from '../src/view/panes.js';
import { headerLine, memberLines } from '../src/view/room-view.js';
import { conversationLines, statusLine } from '../src/view/status.js';
import type { StatusState } from '../src/view/status.js';
import { wrapText } from '../src/view/wrap.js';
import stringWidth from 'string-width';

const message = (text: string, extra: Partial<LogEntry> = {}): LogEntry =>
  ({
    kind: 'message',
    id: '1',
    from: 'bob',
    text,
    ts: new Date(2026, 0, 1, 9, 5).getTime(),
    action: false,
    self: false,
    mention: false,
    ...extra,
  }) as LogEntry;

// Every tag blessed knows opens with `{`: after safeText, no remote `{` is left bare.
const bareBrace = /\{(?!open\}|close\})/;

describe('safe rendering of remote text', () => {
  it('shows blessed tags literally and escape sequences inert', () => {
    expect(safeText('{bold}hi{/bold}')).toBe('{open}bold{close}hi{open}/bold{close}');
    expect(safeText('\u001b[2J\u001b]0;pwned\u0007')).toBe('^[[2J^[]0;pwned^G');
    expect(safeText('a\nb')).toBe('a\nb');
    expect(safeText('a\nb', { singleLine: true })).toBe('a^Jb');
  });

  it('formats a message: time, coloured name, text; a remote name cannot inject tags', () => {
    const [line] = formatEntry(message('{red-fg}x', { from: '{bold}eve' }));
    expect(line).toContain('09:05');
    expect(line).toContain('{open}red-fg{close}x');
    expect(line).toContain('{open}bold{close}eve');
    expect(line!.replace(/\{\/?[a-z-]+\}/g, '')).not.toMatch(bareBrace);
  });

  it('puts the line a reply answers above it, dimmed, cut to the width, its text inert', () => {
    const reply = { id: '0', from: '{bold}eve', text: `\u001b[2J${'long words '.repeat(10)}` };
    const [quote, line] = formatEntry(message('yes', { reply }), 40, 'en-GB');
    const shown = quote!.replace(/\{\/?gray-fg\}/g, '');
    expect(shown).toMatch(/^ {5} ┌ \{open\}bold\{close\}eve: \^\[\[2Jlong words .*…$/);
    expect(shown).not.toMatch(bareBrace);
    // As blessed draws it: {open} and {close} are one column each.
    const drawn = shown.replace(/\{open\}/g, '{').replace(/\{close\}/g, '}');
    expect(stringWidth(drawn)).toBeLessThanOrEqual(40);
    expect(line).toMatch(/<.*bob.*> yes$/);
  });

  it('writes the time as the environment’s locale does, and indents under the text all the same', () => {
    const [first, second] = formatEntry(message('one\ntwo'), Number.POSITIVE_INFINITY, 'en-US');
    expect(first).toMatch(/^\{gray-fg\}09:05\sAM\{\/gray-fg\} /);
    // `09:05 AM <bob> `: the text starts at column 15.
    expect(second).toMatch(/^ {15}two$/);
    expect(formatEntry(message('x'), 80, 'en-GB')[0]).toMatch(/^\{gray-fg\}09:05\{\/gray-fg\} /);
  });

  it('indents the lines of a multi-line text under the text, and marks actions and mentions', () => {
    // `09:05 <bob> `: the text starts at column 12.
    expect(formatEntry(message('one\ntwo'))).toHaveLength(2);
    expect(formatEntry(message('one\ntwo'))[1]).toMatch(/^ {12}two$/);
    expect(formatEntry(message('waves', { action: true }))[0]).toContain(
      '{magenta-fg}*{/magenta-fg}',
    );
    expect(formatEntry(message('hi ada', { mention: true }))[0]).toMatch(/^\{yellow-bg\}/);
    expect(formatEntry({ kind: 'system', text: 'bob joined', ts: 0, tone: 'join' })[0]).toContain(
      '{gray-fg}-- bob joined',
    );
  });

  it('wraps a long text to the log width, each line indented under the text', () => {
    const plain = (line: string) => line.replace(/\{\/?[a-z-]+\}/g, '');
    const text = 'the quick brown fox jumps over the lazy dog and runs back again';
    const lines = formatEntry(message(text), 40).map(plain);
    expect(lines).toEqual([
      '09:05 <bob> the quick brown fox jumps',
      '            over the lazy dog and runs',
      '            back again',
    ]);
    for (const line of lines) expect(stringWidth(line)).toBeLessThanOrEqual(40);
    // A word longer than a line is cut; wide characters count two columns.
    expect(wrapText('x'.repeat(25), 10, 10)).toEqual(['xxxxxxxxxx', 'xxxxxxxxxx', 'xxxxx']);
    expect(wrapText('日本語の文章です', 6, 6)).toEqual(['日本語', 'の文章', 'です']);
    // A long name leaves room for its text: the indent stops at 24 columns.
    const long = formatEntry(message('a b c d e f g h', { from: 'x'.repeat(30) }), 50).map(plain);
    expect(long[1]).toMatch(/^ {24}\S/);
  });

  it('gives the chat 60 columns at least: side panes narrow, then the members go, then the rooms', () => {
    const both = { rooms: true, members: true, membersAsked: false };
    expect(paneWidths(120, both)).toEqual({ rooms: 20, members: 20 });
    expect(paneWidths(90, both)).toEqual({ rooms: 14, members: 14 });
    expect(paneWidths(80, both)).toEqual({ rooms: 20, members: 0 });
    expect(paneWidths(70, both)).toEqual({ rooms: 0, members: 0 });
    expect(paneWidths(80, { ...both, rooms: false })).toEqual({ rooms: 0, members: 20 });
    // Asked for with F2, the member list stays, narrow.
    expect(paneWidths(70, { ...both, membersAsked: true })).toEqual({ rooms: 0, members: 14 });
  });

  it('gives a name the same colour whatever its case', () => {
    expect(nameColour('Ada')).toBe(nameColour('ada'));
  });
});

/** The status line of a guest `ada` connected to h:1, with `changed` changed. */
function statusOf(changed: Partial<StatusState> = {}): string {
  return statusLine({
    server: 'h:1',
    secure: false,
    status: 'registered',
    name: 'ada',
    account: false,
    current: undefined,
    reconnectInMs: 0,
    newBelow: 0,
    typing: [],
    unreadElsewhere: 0,
    mentionsElsewhere: 0,
    ...changed,
  });
}

describe('status line and room list', () => {
  it('says who is logged in to an account and who is a guest', () => {
    const line = (account: boolean) => statusOf({ account }).replace(/\{[^}]*\}/g, '');
    expect(line(true)).toMatch(/ada \(account\)$/);
    expect(line(false)).toMatch(/ada \(guest\)$/);
  });

  it('hides a password as it is typed, and keeps it out of recall', () => {
    const editor = new LineEditor();
    editor.insert('/register correct horse');
    expect(maskSecrets(editor.text)).toBe('/register ••••••• •••••');
    editor.take();
    editor.insert('hello');
    editor.take();
    editor.previous();
    expect(editor.text).toBe('hello');
    editor.previous();
    expect(editor.text).toBe('hello');
  });

  it('says when and in how long the link comes back', () => {
    const line = statusOf({
      server: '127.0.0.1:7420',
      status: 'reconnecting',
      reconnectInMs: 2_400,
    });
    expect(line).toContain('reconnecting in 3s');
    expect(statusOf({ secure: true, account: true, newBelow: 4 })).toMatch(/connected.*↓ 4 new/);
  });

  it('counts what is unread in the other conversations, mentions marked', () => {
    const line = (unread: number, mentions: number) =>
      statusOf({ unreadElsewhere: unread, mentionsElsewhere: mentions }).replace(/\{[^}]*\}/g, '');
    expect(line(0, 0)).not.toContain('unread');
    expect(line(3, 0)).toMatch(/3 unread elsewhere$/);
    expect(line(3, 1)).toMatch(/3 unread elsewhere \(1!\)$/);
  });

  it('ends with who is typing, their names shown as text', () => {
    const line = statusOf({ typing: ['bob', '{bold}cy\u001b[2J'] });
    expect(line).toMatch(/bob and .*cy.* are typing…\{\/gray-fg\}$/);
    expect(line).not.toContain('\u001b');
    expect(line).not.toContain('{bold}cy');
  });

  it('lists conversations with unread counts, mentions marked', () => {
    const rooms = [
      {
        key: 'a',
        target: { kind: 'room', room: '#a' },
        title: '#a',
        entries: [],
        unread: 0,
        mentions: 0,
      },
      {
        key: 'b',
        target: { kind: 'room', room: '#b' },
        title: '#b',
        entries: [],
        unread: 3,
        mentions: 0,
      },
      {
        key: 'c',
        target: { kind: 'dm', peer: 'bob' },
        title: '{bold}bob',
        entries: [],
        unread: 1,
        mentions: 1,
      },
    ] as const;
    const lines = conversationLines([...rooms] as never, 'a');
    expect(lines[0]).toContain('{inverse}#a{/inverse}');
    expect(lines[1]).toContain('(3)');
    expect(lines[2]).toContain('(1!)');
    expect(lines[2]).toContain('{open}bold{close}bob');
    // Cut to fit a narrow list, count kept.
    const narrow = conversationLines(
      [{ ...rooms[1], title: '#a-very-long-room-name' }] as never,
      undefined,
      18,
    );
    expect(narrow[0]).toMatch(/#a-very-lon… \{cyan-fg\}\(3\)/);
  });
});

describe('LineEditor', () => {
  it('edits around the cursor, whole characters at a time', () => {
    const editor = new LineEditor();
    editor.insert('héllo 🎉');
    editor.left();
    editor.backspace();
    expect(editor.text).toBe('héllo🎉');
    editor.home();
    editor.deleteForward();
    expect(editor.text).toBe('éllo🎉');
    editor.end();
    editor.backspace();
    expect(editor.text).toBe('éllo');
    editor.insert(' world again');
    editor.killWordBack();
    expect(editor.text).toBe('éllo world ');
    editor.killToStart();
    expect(editor.text).toBe('');
  });

  it('recalls what was typed with up and down, keeping the line being typed', () => {
    const editor = new LineEditor();
    editor.insert('first');
    editor.take();
    editor.insert('second');
    editor.take();
    editor.insert('draft');
    editor.previous();
    expect(editor.text).toBe('second');
    editor.previous();
    expect(editor.text).toBe('first');
    editor.next();
    editor.next();
    expect(editor.text).toBe('draft');
  });

  it('completes names with Tab, cycling, ignoring case', () => {
    const editor = new LineEditor();
    editor.insert('al');
    editor.complete(['Alice', 'alan', 'bob']);
    expect(editor.text).toBe('alan: ');
    editor.complete(['Alice', 'alan', 'bob']);
    expect(editor.text).toBe('Alice: ');
    const mid = new LineEditor();
    mid.insert('hi @bo');
    mid.complete(['bob']);
    expect(mid.text).toBe('hi @bob ');
  });
});

describe('input line', () => {
  it('keeps the cursor in view and shows pasted line breaks', () => {
    const text = 'x'.repeat(200);
    const drawn = renderInput(text, 200, 40);
    expect(drawn).toContain('…');
    expect(drawn).toContain('{inverse} {/inverse}');
    expect(renderInput('a\nb', 3, 40)).toContain('a⏎b');
    expect(renderInput('{bold}', 0, 40)).toContain('{open}');
  });
});

describe('keys', () => {
  it('maps keys to actions and never inserts control characters', () => {
    expect(keyAction('a', { name: 'a', full: 'a' })).toEqual({ type: 'insert', text: 'a' });
    expect(keyAction('日', {})).toEqual({ type: 'insert', text: '日' });
    // blessed emits `enter` and then `return` for one press of Enter: one action, not two.
    expect(keyAction('\r', { name: 'enter', full: 'enter' })).toEqual({ type: 'enter' });
    expect(keyAction('\r', { name: 'return', full: 'return' })).toEqual({ type: 'none' });
    expect(keyAction(undefined, { name: 'c', ctrl: true, full: 'C-c' })).toEqual({ type: 'quit' });
    expect(keyAction(undefined, { name: 'd', ctrl: true, full: 'C-d' })).toEqual({ type: 'quit' });
    expect(keyAction(undefined, { name: '3', meta: true, full: 'M-3' })).toEqual({
      type: 'room',
      index: 2,
    });
    expect(keyAction(undefined, { name: 'pageup', full: 'pageup' })).toEqual({ type: 'page-up' });
    expect(keyAction('\u001b', { name: 'escape', full: 'escape' })).toEqual({ type: 'newest' });
    expect(keyAction('\u0007', { name: 'g', ctrl: true, full: 'C-g' })).toEqual({ type: 'none' });
  });
});

describe('command line', () => {
  it('reads flags, then CONFAB_* variables, and takes a leading --', () => {
    expect(
      parseTuiArgs(['--', '--host', 'h', '--port', '99', '--name', 'ada', '--tls'], {}),
    ).toEqual({
      kind: 'run',
      args: {
        host: 'h',
        port: 99,
        name: 'ada',
        tls: true,
        insecure: false,
        noTyping: false,
        noBell: false,
        highlights: [],
      },
    });
    expect(parseTuiArgs([], { CONFAB_HOST: 'e', CONFAB_PORT: '7', CONFAB_TLS: '1' })).toMatchObject(
      { args: { host: 'e', port: 7, name: undefined, tls: true } },
    );
    expect(parseTuiArgs(['--no-typing'], {})).toMatchObject({ args: { noTyping: true } });
    expect(parseTuiArgs([], { CONFAB_NO_TYPING: '1' })).toMatchObject({ args: { noTyping: true } });
    expect(parseTuiArgs(['--no-bell', '--highlight', 'deploy, outage'], {})).toMatchObject({
      args: { noBell: true, highlights: ['deploy', 'outage'] },
    });
    expect(parseTuiArgs([], { CONFAB_NO_BELL: '1', CONFAB_HIGHLIGHT: 'pager' })).toMatchObject({
      args: { noBell: true, highlights: ['pager'] },
    });
    expect(parseTuiArgs(['--highlight', 'x'.repeat(65)], {})).toMatchObject({ kind: 'error' });
    expect(parseTuiArgs(['--port', 'x'], {})).toMatchObject({ kind: 'error' });
    expect(parseTuiArgs(['--bogus'], {})).toMatchObject({ kind: 'error' });
    expect(parseTuiArgs(['--help'], {})).toEqual({ kind: 'help' });
  });

  it('lists every option in --help before the paragraphs that explain them', () => {
    const lines = USAGE.split('\n');
    const options = lines.flatMap((line, i) => (/^ {2}--/.test(line) ? [i] : []));
    const firstProse = lines.findIndex((line, i) => i > options[0]! && /^[A-Z<]/.test(line));
    for (const flag of [
      '--host',
      '--port',
      '--name',
      '--tls',
      '--insecure',
      '--no-typing',
      '--no-bell',
      '--highlight',
      '--help',
      '--version',
    ])
      expect(lines.some((line) => line.startsWith(`  ${flag} `))).toBe(true);
    expect(Math.max(...options)).toBeLessThan(firstProse);
  });
});

describe('a room’s header and member list', () => {
  const room = (): RoomConversation => {
    const model = new ChatModel();
    const den = model.ensureRoom('#den');
    model.applyNames({
      type: 'names',
      room: '#den',
      names: ['zed', '{red-fg}eve', 'amy', 'bob'],
      roles: { zed: 'owner', bob: 'moderator', amy: 'voice' },
    });
    model.applyRoom({
      type: 'room',
      room: '#den',
      owner: 'zed',
      topic: '{bold}loud{/bold} \u202e topic',
      invite_only: true,
      secret: false,
      moderated: false,
      topic_locked: true,
    });
    return den;
  };

  it('lists the owner and moderators first with @, voice with +, names inert', () => {
    const lines = memberLines(room(), 12);
    expect(lines.map((l) => l.replace(/\{\/?(?:bold|[a-z-]+-fg)\}/g, ''))).toEqual([
      '@zed',
      '@bob',
      '+amy',
      ' {open}red-fg{close}eve',
    ]);
    for (const line of lines)
      expect(line.replace(/\{\/?(?:bold|[a-z-]+-fg)\}/g, '')).not.toMatch(bareBrace);
  });

  it('shows the topic first, then the owner and modes, inert and within the width', () => {
    const line = headerLine(room(), 100);
    const shown = line.replace(/\{\/?(?:bold|[a-z-]+-fg)\}/g, '');
    expect(shown).toContain('{open}bold{close}loud');
    expect(shown).toContain('\\u202e');
    expect(shown).toContain('owned by zed · invite-only, topic locked');
    expect(
      stringWidth(shown.replace(/\{open\}/g, '{').replace(/\{close\}/g, '}')),
    ).toBeLessThanOrEqual(100);
    // Narrow: the topic is cut first, the room's state stays.
    expect(headerLine(room(), 50)).toContain('owned by zed');
  });
});
