import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import stringWidth from 'string-width';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '@confab/server';
import { startChatServer } from '@confab/test-kit/server';
import type { ConfabServer } from '@confab/server';
import { JsonClient, Tmux, freePort } from '@confab/test-kit';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'confab-tui-'));
const tmux = new Tmux();
let server: ConfabServer;
let port: number;

async function startServer(atPort = 0): Promise<void> {
  ({ server, port } = await startChatServer({ port: atPort, dataDir, rateLimit: 0 }));
}

function confab(session: string, name: string): void {
  tmux.start(
    session,
    `LANG=C.UTF-8 TERM=xterm-256color ${process.execPath} ${cli} --host 127.0.0.1 --port ${port} --name ${name}`,
  );
}

/** Sends one message from another client (the JSON stream), as any other client could. */
async function rawSay(name: string, text: string): Promise<void> {
  const poster = await JsonClient.connect(port);
  await poster.register(name);
  poster.send({ type: 'say', room: '#general', text, ref: 'x' });
  await poster.next('ack');
  await poster.quit();
}

/**
 * Display column of the member list's left border on a line (wide
 * characters count two): the last left edge (`│`, or `┌`/`└` on the pane's
 * top and bottom rows) before the pane's right edge, the line's last character.
 */
function memberBorder(line: string): number {
  const trimmed = line.trimEnd();
  const before = trimmed.slice(0, -1);
  const edge = Math.max(...['│', '┌', '└'].map((glyph) => before.lastIndexOf(glyph)));
  return stringWidth(trimmed.slice(0, edge));
}

beforeAll(async () => {
  await startServer();
  confab('ada', 'ada');
  await tmux.waitFor('ada', 'write <quit>');
  confab('bob', 'bob');
  await tmux.waitFor('bob', 'write <quit>');
});

afterAll(async () => {
  tmux.kill();
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('confab in a terminal', () => {
  it('welcomes, shows the member list, and both see each other’s messages with names', async () => {
    const screen = await tmux.waitFor('ada', /2 here/);
    expect(screen).toContain('Welcome ada: if you want to leave the chat, write <quit>');
    expect(screen).toMatch(/│ ada\s+│/);
    expect(screen).toMatch(/│ bob\s+│/);
    expect(screen).toMatch(/confab\s+127\.0\.0\.1:\d+\s+│\s+#general\s+│\s+● connected\s+│\s+ada/);
    tmux.type('ada', 'hello bob');
    await tmux.waitFor('bob', /\d\d:\d\d <ada> hello bob/);
    tmux.type('bob', 'hi ada, welcome');
    await tmux.waitFor('ada', /<bob> hi ada, welcome/);
    // A mention of ada: drawn on a yellow background on her screen.
    const mention = tmux
      .styled('ada')
      .split('\n')
      .find((l) => l.includes('hi ada, welcome'))!;
    // SGR 43: yellow background.
    // eslint-disable-next-line no-control-regex
    expect(mention).toMatch(/\u001b\[[0-9;]*43[0-9;]*m/);
  });

  it('answers /who with the member list in the log, also when the member pane is hidden', async () => {
    tmux.keys('ada', 'F2');
    await tmux.waitFor('ada', (s) => !s.includes('2 here'));
    tmux.type('ada', '/who');
    await tmux.waitFor('ada', /-- In #general \(2\): ada, bob/);
    tmux.keys('ada', 'F2');
    await tmux.waitFor('ada', '2 here');
  });

  it('sends a direct message with /msg, counted unread in the room list', async () => {
    tmux.type('ada', '/msg bob just between us');
    const screen = await tmux.waitFor('bob', /ada \(1!\)/);
    expect(screen).toContain('#general');
    tmux.keys('bob', 'C-n');
    const dm = await tmux.waitFor(
      'bob',
      (s) => /<ada> just between us/.test(s) && /│\s+ada\s+│\s+● connected/.test(s),
    );
    expect(dm).not.toContain('ada (1!)');
    tmux.keys('bob', 'C-p');
    await tmux.waitFor('bob', /│\s+#general\s+│\s+● connected/);
  });

  it('follows the other person’s /nick in a direct conversation, so a reply reaches them', async () => {
    // ada has a conversation with bob (the test before); bob takes another name.
    tmux.type('bob', '/nick bobby');
    await tmux.waitFor('ada', /│\d bobby\s/);
    tmux.keys('ada', 'C-n');
    await tmux.waitFor('ada', /│\s+bobby\s+│\s+● connected/);
    await tmux.waitFor('ada', '-- bob is now known as bobby');
    tmux.type('ada', 'still there under your new name?');
    // It reaches bob's conversation with ada, unread.
    await tmux.waitFor('bob', /│\d ada \(1!\)/);
    tmux.keys('ada', 'C-p');
    tmux.type('bob', '/nick bob');
    await tmux.waitFor('ada', /│\d bob\s/);
  });

  it('asks again for a name that is taken, and for a name that was not given', async () => {
    confab('dee', 'ADA');
    const asked = await tmux.waitFor('dee', 'Name:');
    expect(asked).toContain('the name ADA is taken');
    tmux.type('dee', 'bad name');
    await tmux.waitFor('dee', 'must not contain spaces');
    tmux.keys('dee', 'C-u');
    tmux.type('dee', 'dee');
    await tmux.waitFor('dee', /● connected\s+│\s+dee/);
    tmux.keys('dee', 'C-c');
    await tmux.waitFor('dee', /Bye\.\n\[exited 0\]/);
    tmux.start('eve', `LANG=C.UTF-8 ${process.execPath} ${cli} --host 127.0.0.1 --port ${port}`);
    await tmux.waitFor('eve', 'Name:');
    tmux.type('eve', 'eve');
    await tmux.waitFor('eve', /● connected\s+│\s+eve/);
    tmux.keys('eve', 'C-d');
    await tmux.waitFor('eve', /Bye\.\n\[exited 0\]/);
  });

  it('asks for what the command line left out, with defaults to accept', async () => {
    tmux.start('fay', `LANG=C.UTF-8 ${process.execPath} ${cli}`);
    const first = await tmux.waitFor('fay', 'Server: 127.0.0.1');
    expect(first.split('\n')[0]).toMatch(/confab\s+│\s+not connected/);
    tmux.keys('fay', 'Enter');
    // One press of Enter answers one question: the next keeps its default.
    await tmux.waitFor('fay', 'Port: 7420');
    tmux.keys('fay', 'C-u');
    tmux.type('fay', String(port));
    await tmux.waitFor('fay', 'Name:');
    tmux.type('fay', 'fay');
    await tmux.waitFor('fay', /● connected\s+│\s+fay/);
    tmux.keys('fay', 'C-c');
    await tmux.waitFor('fay', /Bye\.\n\[exited 0\]/);
  });

  it('joins a room with /join and counts unread messages elsewhere', async () => {
    tmux.type('bob', '/join #rust');
    await tmux.waitFor('bob', /│\s+#rust\s+│/);
    tmux.type('ada', 'anyone in general?');
    await tmux.waitFor('bob', /#general \(1\)/);
  });

  it('shows escape sequences and blessed tags sent by others as inert text', async () => {
    const before = tmux.title('ada');
    await rawSay('mallory', '\u001b]0;pwned\u0007\u001b[2J{bold}not bold{/bold} \u001b[31mred?');
    const screen = await tmux.waitFor('ada', '<mallory>');
    expect(screen).toContain('^[]0;pwned^G^[[2J{bold}not bold{/bold} ^[[31mred?');
    expect(screen).toContain('Welcome ada');
    expect(tmux.title('ada')).toBe(before);
  });

  it('keeps wide characters aligned, and re-lays out on resize without losing the log', async () => {
    tmux.type('ada', '日本語 and 🎉 emoji, end');
    // The screen once drawn (tmux may be read mid-redraw): the member list's border in its column.
    const screen = await tmux.waitFor('ada', (s) => {
      const line = s.split('\n').find((l) => l.includes('🎉 emoji, end'));
      return line !== undefined && memberBorder(line) === 100;
    });
    const lines = screen.split('\n');
    const wide = lines.find((l) => l.includes('🎉 emoji, end'))!;
    const plain = lines.find((l) => l.includes('You joined #general'))!;
    // The member list's border is in the same column on both lines: 20 from the right edge of 120.
    expect(memberBorder(wide)).toBe(100);
    expect(memberBorder(plain)).toBe(100);
    expect(stringWidth(wide)).toBe(120);
    tmux.resize('ada', 90, 24);
    // Redrawn for 90 columns: both side lists narrow to 14, the member list's border 14 from the right.
    const emojiLine = (s: string) => s.split('\n').find((l) => l.includes('🎉 emoji, end'));
    const narrow = await tmux.waitFor('ada', (s) => {
      const line = emojiLine(s);
      return line !== undefined && memberBorder(line) === 76;
    });
    expect(narrow).toContain('hello bob');
    expect(Math.max(...narrow.split('\n').map((l) => stringWidth(l)))).toBeLessThanOrEqual(90);
    tmux.resize('ada', 120, 30);
  });

  it('sends a pasted block of lines as one message, not line by line', async () => {
    tmux.paste('ada', 'first pasted line\nsecond pasted line');
    tmux.keys('ada', 'Enter');
    // The sent message in the log (the input line shows the pasted text too, until Enter).
    const screen = await tmux.waitFor('ada', (s) =>
      /<ada> first pasted line[^\n]*\n[^\n]*second pasted line/.test(s),
    );
    const lines = screen.split('\n');
    const first = lines.findIndex((l) => l.includes('<ada> first pasted line'));
    expect(first).toBeGreaterThan(-1);
    // The second line is the same message's continuation, not a message of its own.
    // (After the log's left edge: the room list's side, or its corner on the last row.)
    expect(lines[first + 1]).toMatch(/[│┘] {12}second pasted line/);
    expect(lines[first + 1]).not.toContain('<ada>');
  });

  it('asks nothing the command line gave: --port and --name connect at once to 127.0.0.1', async () => {
    tmux.start('quick', `LANG=C.UTF-8 ${process.execPath} ${cli} --port ${port} --name quick`);
    const screen = await tmux.waitFor('quick', /● connected\s+│\s+quick/);
    expect(screen).toContain('127.0.0.1:');
    expect(screen).not.toContain('Connect to Confab');
    tmux.keys('quick', 'C-c');
    await tmux.waitFor('quick', /Bye\.\n\[exited 0\]/);
  });

  it('fits an 80x24 terminal: 60 columns for the chat, wrapped lines under the text', async () => {
    tmux.start(
      'narrow',
      `LANG=C.UTF-8 TERM=xterm-256color ${process.execPath} ${cli} --port ${port} --name nina`,
      { width: 80, height: 24 },
    );
    await tmux.waitFor('narrow', /● connected/);
    const long =
      'a long line that has to wrap in a terminal of eighty columns, and whose second line starts under its first word';
    tmux.type('narrow', long);
    // Wait for the message in the log, not for its echo in the input line.
    let screen = await tmux.waitFor(
      'narrow',
      (s) => s.includes('<nina> a long line') && s.includes('under its first word'),
    );
    let lines = screen.split('\n');
    const first = lines.findIndex((l) => l.includes('<nina> a long line'));
    // The member list (20 columns) is at the right: 60 are left for the chat.
    expect(memberBorder(lines[first]!)).toBe(60);
    // `HH:MM <nina> ` is 13 columns: the next line of the message starts there.
    expect(lines[first + 1]).toMatch(/^ {13}\S/);
    // With a second conversation the room list comes, and the member list gives way.
    tmux.type('narrow', '/msg ada hello from a narrow screen');
    screen = await tmux.waitFor('narrow', (s) => s.includes('rooms') && !/\d here/.test(s));
    lines = screen.split('\n');
    expect(screen).not.toMatch(/\d here/);
    const again = lines.find((l) => l.includes('<nina> a long line'))!;
    expect(stringWidth(again.slice(0, again.indexOf('<nina>')))).toBe(20 + 6);
    tmux.keys('narrow', 'C-c');
    await tmux.waitFor('narrow', /Bye\.\n\[exited 0\]/);
  });

  it('keeps a message that is too long in the input line, to be mended', async () => {
    tmux.type('ada', 'z'.repeat(5000));
    await tmux.waitFor('ada', 'Message too long');
    const input = tmux.screen('ada').trimEnd().split('\n').at(-1)!;
    expect(input).toMatch(/^> …z+$/);
    tmux.keys('ada', 'C-u');
    await tmux.waitFor('ada', (s) => s.trimEnd().split('\n').at(-1) === '>');
  });

  it('answers a mistyped command in the log and leaves the input empty, the line kept for Up', async () => {
    tmux.type('ada', '/nickk ada2');
    await tmux.waitFor('ada', 'Unknown command /nickk');
    // The input is empty: the next command is not typed onto the end of the mistake.
    await tmux.waitFor('ada', (s) => s.trimEnd().split('\n').at(-1) === '>');
    tmux.type('ada', 'typed after the typo');
    await tmux.waitFor('ada', /<ada> typed after the typo\s/);
    tmux.keys('ada', 'Up');
    tmux.keys('ada', 'Up');
    await tmux.waitFor('ada', (s) => s.trimEnd().split('\n').at(-1) === '> /nickk ada2');
    tmux.keys('ada', 'C-u');
    await tmux.waitFor('ada', (s) => s.trimEnd().split('\n').at(-1) === '>');
  });

  it('lists its keys in /help after the commands', async () => {
    tmux.type('ada', '/help');
    await tmux.waitFor('ada', 'F2');
    expect(tmux.screen('ada')).toMatch(/Alt\+1\.\.9\s+go to the first nine conversations/);
  });

  it('reconnects after a server restart and shows the missed messages once', async () => {
    const atPort = port;
    await server.close();
    await tmux.waitFor('ada', /reconnecting in \d+s/);
    // While ada is away, three messages reach the history the server will read.
    const store = await SqliteStore.open({ dataDir });
    for (const text of ['missed one', 'missed two', 'missed three']) {
      await store.append({
        id: `m-${text}`,
        roomKey: '#general',
        room: '#general',
        from: 'carol',
        text,
        ts: Date.now(),
        action: false,
      });
    }
    await store.close();
    await startServer(atPort);
    const screen = await tmux.waitFor(
      'ada',
      (s) => s.includes('missed three') && s.includes('● connected'),
      20_000,
    );
    for (const text of ['missed one', 'missed two', 'missed three']) {
      expect(screen.split(text).length - 1, text).toBe(1);
    }
    // One line says the server went, one that the link is back: no greeting
    // again, and no line for each of the others going and coming back.
    const after = await tmux
      .waitFor('bob', '● connected', 20_000)
      .then(() => tmux.waitFor('ada', 'Reconnected'));
    const lines = after.split('\n');
    const tail = lines.slice(lines.findIndex((l) => l.includes('The server is restarting')));
    expect(
      tail.filter((l) => l.includes('--')),
      tail.join('\n'),
    ).toEqual([
      expect.stringContaining('The server is restarting or shutting down;'),
      expect.stringContaining('Reconnected'),
    ]);
    expect(tail.join('\n')).not.toMatch(/joined #general|was disconnected|Welcome ada/);
  });

  it('pages back through history when scrolled to the top', async () => {
    for (let i = 1; i <= 120; i++)
      await rawSay(`poster${i % 3}`, `old message ${String(i).padStart(3, '0')}`);
    confab('cy', 'cy');
    await tmux.waitFor('cy', 'old message 120');
    expect(tmux.screen('cy')).not.toContain('old message 001');
    // Each PageUp moves the view up a page; at the top of what is loaded it
    // asks for the page before, which comes in above the view and leaves the
    // screen as it was, so a PageUp that changes nothing is pressed again.
    for (let i = 0; i < 30 && !tmux.screen('cy').includes('old message 001'); i++) {
      const before = tmux.screen('cy');
      tmux.keys('cy', 'PageUp');
      await tmux.waitFor('cy', (screen) => screen !== before, 1_000).catch(() => undefined);
    }
    expect(tmux.screen('cy')).toContain('old message 001');
    tmux.keys('cy', 'C-c');
    await tmux.waitFor('cy', /Bye\.\n\[exited 0\]/);
  });

  it('runs <quit>: the client ends cleanly, the others see the leave', async () => {
    await tmux.waitFor('bob', '● connected', 20_000);
    tmux.type('bob', '<quit>');
    await tmux.waitFor('bob', /Bye\.\n\[exited 0\]/);
    await tmux.waitFor('ada', /bob left the chat/);
  });

  it('leaves with the <quit> handshake on Ctrl-C, Ctrl-D and /quit with a reason: the others see a quit', async () => {
    for (const [name, leave] of [
      ['quitc', () => tmux.keys('quitc', 'C-c')],
      ['quitd', () => tmux.keys('quitd', 'C-d')],
      ['quitr', () => tmux.type('quitr', '/quit gone fishing')],
    ] as const) {
      confab(name, name);
      await tmux.waitFor(name, '● connected');
      await tmux.waitFor('ada', `${name} joined`);
      leave();
      await tmux.waitFor(name, /Bye\.\n\[exited 0\]/);
      // "left the chat" is a quit; a link that died would read "was disconnected".
      await tmux.waitFor('ada', `${name} left the chat`);
    }
  });

  it('says in one line that a server cannot be reached, and exits non-zero', async () => {
    const free = await freePort();
    tmux.start('nobody', `${process.execPath} ${cli} --host 127.0.0.1 --port ${free} --name zed`);
    const screen = await tmux.waitFor('nobody', /\[exited \d+\]/);
    expect(screen.trim().split('\n')).toEqual([
      `confab: nothing is listening on 127.0.0.1:${free} (connection refused)`,
      '[exited 1]',
    ]);
  });
});
