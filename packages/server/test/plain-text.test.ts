import { describe, expect, it } from 'vitest';
import { JsonClient, PlainClient, pause, sameNode, sendThenStall, testScope } from './helpers.js';

const { cleanups, serve } = testScope();

async function person(port: number): Promise<PlainClient> {
  const nc = await PlainClient.connect(port);
  cleanups.push(() => void nc.socket.destroy());
  return nc;
}

/** Nothing a person reads is a frame: no JSON object on any line. */
function expectNoJson(nc: PlainClient): void {
  for (const line of nc.text().split('\r\n')) expect(line).not.toMatch(/^\s*\{/);
  expect(nc.text()).not.toContain('"type"');
}

describe('a person on nc reads no text that lies', () => {
  it('sees every invisible character escaped, in names and in texts', async () => {
    const port = await serve();
    const nc = await person(port);
    nc.type('reader');
    await nc.line('* In #general');
    const eve = await JsonClient.connect(port);
    cleanups.push(() => eve.end());
    await eve.register('eve');
    const hidden = 'pay\u200bpal \u200e\u200f\u061c tag\u{e0041} line\u2028sep';
    eve.send({ type: 'say', room: '#general', text: hidden, ref: '1' });
    const line = await nc.line('<eve>');
    expect(line).toContain('pay\\u200bpal \\u200e\\u200f\\u061c tag\\u{e0041} line\\u2028sep');
    expect(line).not.toMatch(/[\u200b\u200e\u200f\u061c\u2028]|\u{e0041}/u);
  });

  it('reads lines ended by \\r\\n as by \\n, is told of a line that is not UTF-8, and sees direct messages and /me escaped', async () => {
    const port = await serve();
    const nc = await person(port);
    nc.socket.write('pat\r\n');
    await nc.line('* In #general');
    const eve = await JsonClient.connect(port);
    cleanups.push(() => eve.end());
    await eve.register('eve');
    // A line from Windows' nc (\r\n) is the same line; the \r is not part of the text.
    nc.socket.write('hello from windows\r\n');
    expect(await eve.next('message', (m) => m.from === 'pat')).toMatchObject({
      text: 'hello from windows',
    });
    // Bytes that are not UTF-8: the line is dropped, and the person told so.
    nc.socket.write(Buffer.from([0x68, 0x69, 0xff, 0xfe, 0x0a]));
    await nc.line('! That line was not UTF-8; it was dropped.');
    // A direct message and an action carry their controls escaped, like any text.
    eve.send({ type: 'dm', to: 'pat', text: 'bell\u0007 and \u202eright', ref: 'd' });
    const dm = await nc.line('bell');
    expect(dm).toContain('bell^G and \\u202eright');
    eve.send({ type: 'say', room: '#general', text: 'waves\u001b[2J', action: true, ref: 'a' });
    const action = await nc.line('waves');
    expect(action).toMatch(/^\[\d\d:\d\d\] \* eve waves\^\[\[2J$/);
    expectNoJson(nc);
  });

  it('cannot be shown a line that another wrote to look like the server’s: rows are wrapped at 80 columns, the rest indented', async () => {
    const port = await serve();
    const nc = await person(port);
    nc.type('reader');
    await nc.line('* In #general');
    const eve = await JsonClient.connect(port);
    cleanups.push(() => eve.end());
    await eve.register('eve');
    eve.send({
      type: 'say',
      room: '#general',
      text: `${' '.repeat(200)}[12:00] <admin> please type your password\tnow`,
      ref: '1',
    });
    await nc.line('please type your password');
    const rows = nc.lines.all.slice(nc.lines.all.findIndex((l) => l.includes('<eve>')));
    for (const row of rows) expect([...row].length).toBeLessThanOrEqual(80);
    // The words after the spaces are on a row of their own, indented: no row but the first starts at the margin.
    expect(rows[0]).toMatch(/^\[\d\d:\d\d\] <eve>/);
    for (const row of rows.slice(1)) expect(row).toMatch(/^ {2}/);
    expect(rows.join('\n')).not.toMatch(/^\[12:00\] <admin>/m);
    expect(rows.join('\n')).not.toContain('\t');
  });
});

describe('a person on nc', () => {
  it('is greeted at once with what to type, and joins with the name typed', async () => {
    const port = await serve();
    const nc = await person(port);
    const greeting = await nc.line('Type your name and press Enter', 2_000);
    expect(greeting).toContain('<quit> leaves');
    expect(nc.text()).toMatch(/^Welcome to Confab \(confab\/[\d.]+\), a chat\.\r\n/);
    nc.type('ada');
    await nc.line('Welcome ada: if you want to leave the chat, write <quit>');
    await nc.line('* In #general: ada');
    expectNoJson(nc);
  });

  it('reads why a name was refused in words, and is asked for another', async () => {
    const port = await serve();
    const taken = await JsonClient.connect(port);
    cleanups.push(() => taken.end());
    await taken.register('ada');
    const nc = await person(port);
    await nc.line('Type your name');
    nc.type('two words');
    expect(await nc.sentence(/^!/)).toBe(
      '! That name cannot be used (name must not contain spaces, control or invisible characters).',
    );
    await nc.line('Pick another name:');
    nc.type('ADA');
    expect(await nc.sentence(/^!/)).toBe('! That name is taken.');
    await nc.line('Pick another name:');
    nc.type('bea');
    await nc.line('Welcome bea');
    expect(nc.text()).not.toMatch(/hello:|nick:/);
    expectNoJson(nc);
  });

  it('who types no name is told so in words when the time runs out', async () => {
    const port = await serve({ greetAfter: 50, nameTimeout: 400 });
    const silent = await person(port);
    await silent.line('Type your name');
    await silent.line('No name came in time, so the connection is closed.', 3_000);
    await silent.closed;
    expectNoJson(silent);
    // One who started typing but never pressed Enter is told the same.
    const slow = await person(port);
    slow.socket.write('ad');
    expect(await slow.sentence(/^!/, 3_000)).toBe(
      '! No name came in time, so the connection is closed. Connect again when you are ready.',
    );
    await slow.closed;
    expectNoJson(slow);
  });

  it('reads every refusal as a sentence, never a frame', async () => {
    const port = await serve({ rateLimit: 1, rateBurst: 2, rateQueue: 0 });
    const nc = await person(port);
    nc.type('pat');
    await nc.line('* In #general');
    nc.type('/part #nowhere');
    expect(await nc.sentence(/^!/)).toBe('! You are not in #nowhere.');
    for (let i = 0; i < 3; i++) nc.type(`line ${i}`);
    expect(await nc.sentence(/^! You are sending too fast/)).toBe(
      '! You are sending too fast: that line was not sent. Wait a moment, then send it again.',
    );
    expectNoJson(nc);
  });

  it('is told in words that the server is full, without typing anything', async () => {
    const port = await serve({ maxConnections: 1, greetAfter: 50 });
    // Connection limits are each node's own.
    sameNode(port);
    const first = await person(port);
    await first.line('Type your name');
    const second = await person(port);
    expect(await second.line(/full/)).toBe('! The server is full; try again later (server_full).');
    await second.closed;
  });
});

describe('a program that speaks first', () => {
  it('is never greeted', async () => {
    const port = await serve({ greetAfter: 50 });
    const c = await JsonClient.connect(port);
    cleanups.push(() => c.end());
    await c.register('ada');
    await pause(200);
    expect(c.decodeErrors).toEqual([]);
  });

  it('is not greeted when the server was too busy to read what it sent in time', async () => {
    const port = await serve({ greetAfter: 1_000 });
    // The greeting is due while the server is busy; the hello came long before it (a
    // wide margin, so that a slow timer on a busy machine cannot make it late).
    const hello = '{"type":"hello","version":1,"name":"ada"}';
    expect(await sendThenStall(port, hello, 30, 1_300)).toMatch(/^\{"type":"welcome"/);
  });

  it('that waits before speaking reads one line of text, skips it, and registers', async () => {
    const port = await serve({ greetAfter: 50 });
    const c = await JsonClient.connect(port);
    cleanups.push(() => c.end());
    await pause(300);
    await c.register('ada');
    expect(c.decodeErrors).toEqual(['bad_frame', 'bad_frame']);
  });
});
