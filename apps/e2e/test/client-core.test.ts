// The client core both clients share (ChatClient), against Confab's own
// server, through a proxy that loses bytes, goes silent or drops the link.
// The protocol package's tests run the same scenarios against a fake server
// that can inject faults anywhere; these make sure the real server and the
// real client agree.
import { afterEach, describe, expect, it } from 'vitest';
import type { ChatClientOptions, ClientEvent } from '@confab/protocol';
import { ChatClient } from '@confab/protocol';
import type { ServerOptions } from '@confab/server';
import { tcpConnect } from '@confab/client-tui';
import { LinkProxy } from './link-proxy.js';
import { JsonClient, startRedis, waitFor } from '@confab/test-kit';
import { startChatServer } from '@confab/test-kit/server';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A real server, and a proxy in front of it. */
async function serve(options: ServerOptions = {}): Promise<{ port: number; proxy: LinkProxy }> {
  const { server, port } = await startChatServer(options);
  const proxy = await LinkProxy.start(port);
  cleanups.push(() => server.close());
  cleanups.push(() => proxy.close());
  return { port, proxy };
}

/** A ChatClient through the proxy, registered; quick to reconnect. */
async function chat(
  proxy: LinkProxy,
  name: string,
  options: Partial<ChatClientOptions> = {},
): Promise<{ client: ChatClient; events: ClientEvent[] }> {
  const events: ClientEvent[] = [];
  const client = new ChatClient({
    connect: tcpConnect({ host: '127.0.0.1', port: proxy.port, tls: false }),
    name,
    reconnect: { initialMs: 50, maxMs: 200, jitter: 0 },
    ...options,
  });
  client.subscribe((event) => events.push(event));
  client.start();
  cleanups.push(() => client.quit());
  await waitFor(() => client.status === 'registered', `${name} to register`);
  return { client, events };
}

/** Someone on the JSON stream, straight to the server, answering its pings as a live client does. */
async function watcher(port: number, name: string): Promise<JsonClient> {
  const client = await JsonClient.connect(port);
  client.answerPings = true;
  cleanups.push(() => client.end());
  await client.register(name);
  return client;
}

/** What `watch` heard `from` say, in order. */
const heardFrom = (watch: JsonClient, from: string) =>
  watch.inbox.all.flatMap((f) => (f.type === 'message' && f.from === from ? [f.text] : []));

const texts = (client: ChatClient, key: string) =>
  (client.model.conversations.get(key)?.entries ?? []).flatMap((e) =>
    e.kind === 'message' ? [e.text] : [],
  );

describe('the client core against the real server', () => {
  it('sends again a message whose ack was lost only if the replay lacks it: each said once', async () => {
    const { port, proxy } = await serve({ rateLimit: 0 });
    const bob = await watcher(port, 'bob');
    const { client: ada } = await chat(proxy, 'ada');
    // Stored and sent to everyone, but ada never hears the echo or the ack.
    proxy.lose('to-client');
    ada.submit('stored but unacked');
    await waitFor(
      () => heardFrom(bob, 'ada').includes('stored but unacked'),
      'the message to be stored',
    );
    // Written into the link as it dies: it never reaches the server.
    proxy.lose('to-server');
    const lostBefore = proxy.lost['to-server'];
    ada.submit('lost in the drop');
    await waitFor(() => proxy.lost['to-server'] > lostBefore, 'the line to be lost');
    proxy.drop();
    await waitFor(
      () => heardFrom(bob, 'ada').includes('lost in the drop'),
      'the lost one sent again',
    );
    // A message after both is the marker: neither came twice before it.
    await waitFor(() => ada.status === 'registered', 'ada back');
    ada.submit('marker');
    await waitFor(() => heardFrom(bob, 'ada').includes('marker'), 'the marker');
    expect(heardFrom(bob, 'ada')).toEqual(['stored but unacked', 'lost in the drop', 'marker']);
    await waitFor(() => texts(ada, 'room:#general').includes('marker'), 'ada to see the marker');
    expect(texts(ada, 'room:#general')).toEqual([
      'stored but unacked',
      'lost in the drop',
      'marker',
    ]);
  });

  it('resumes a guest’s direct messages after the last dseq it had: what it missed, once', async () => {
    const { port, proxy } = await serve({ rateLimit: 0 });
    const bob = await watcher(port, 'bob');
    const { client: ada } = await chat(proxy, 'ada', { guestKey: 'k'.repeat(43) });
    bob.send({ type: 'dm', to: 'ada', text: 'one' });
    await waitFor(() => texts(ada, 'dm:bob').includes('one'), 'the first message');
    // The second is kept and sent, but lost on the way; then the link drops.
    proxy.lose('to-client');
    bob.send({ type: 'dm', to: 'ada', text: 'two', ref: 't' });
    await waitFor(() => bob.inbox.all.some((f) => f.type === 'ack' && f.ref === 't'), 'two kept');
    proxy.drop();
    await waitFor(() => texts(ada, 'dm:bob').includes('two'), 'the missed message');
    bob.send({ type: 'dm', to: 'ada', text: 'three' });
    await waitFor(() => texts(ada, 'dm:bob').includes('three'), 'a live one after');
    expect(texts(ada, 'dm:bob')).toEqual(['one', 'two', 'three']);
  });

  it('comes back under the name it took with /nick, after a lost link', async () => {
    const { port, proxy } = await serve();
    const bob = await watcher(port, 'bob');
    const { client: ada } = await chat(proxy, 'ada');
    ada.submit('/nick adele');
    await waitFor(() => ada.model.name === 'adele', 'the new name');
    const heardBefore = bob.inbox.all.length;
    proxy.drop();
    await waitFor(() => ada.status === 'reconnecting', 'the lost link');
    await waitFor(() => ada.status === 'registered', 'ada back');
    expect(ada.model.name).toBe('adele');
    ada.submit('back as adele');
    await waitFor(
      () => heardFrom(bob, 'adele').includes('back as adele'),
      'the message under the new name',
    );
    // The room saw adele come back, never ada.
    const after = bob.inbox.all.slice(heardBefore);
    expect(after.some((f) => (f.type === 'joined' || f.type === 'left') && f.name === 'ada')).toBe(
      false,
    );
  });

  it('sends hello again after a backoff while the cluster is unavailable, on the same link', async () => {
    const redis = await startRedis();
    cleanups.push(() => redis.stop());
    const { proxy } = await serve({ redis: redis.url });
    await redis.crash();
    const events: ClientEvent[] = [];
    const ada = new ChatClient({
      connect: tcpConnect({ host: '127.0.0.1', port: proxy.port, tls: false }),
      name: 'ada',
      reconnect: { initialMs: 50, maxMs: 200, jitter: 0 },
    });
    ada.subscribe((event) => events.push(event));
    ada.start();
    cleanups.push(() => ada.quit());
    // Refused as unavailable, it waits and asks again; it does not give up.
    const count = (text: string, what: string) => text.split(what).length - 1;
    await waitFor(
      () =>
        count(proxy.seen['to-client'], '"code":"unavailable"') >= 2 &&
        count(proxy.seen['to-server'], '"type":"hello"') >= 3,
      'hellos refused as unavailable and sent again',
    );
    expect(ada.status).toBe('awaiting_welcome');
    await redis.restart();
    await waitFor(() => ada.status === 'registered', 'ada in once the cluster is back', 20_000);
    // All of it on the one link: unavailable is not a reason to hang up.
    expect(proxy.connections).toBe(1);
    expect(events.some((e) => e.type === 'ended')).toBe(false);
  });

  it('closes by itself when the server does not answer quit, on a link gone silent', async () => {
    const { proxy } = await serve();
    const { client: ada, events } = await chat(proxy, 'ada');
    proxy.lose('to-server', 'to-client');
    ada.quit();
    expect(ada.status).toBe('quitting');
    // The core's 2 s, on the real clock.
    await waitFor(() => ada.status === 'closed', 'the quit to time out', 6_000);
    expect(events.at(-1)).toEqual({ type: 'ended', reason: 'user' });
  });

  it('answers the server’s pings, so a quiet client stays; one whose answers are lost is dropped', async () => {
    const { port, proxy } = await serve({ pingInterval: 300 });
    const bob = await watcher(port, 'bob');
    const { client: ada } = await chat(proxy, 'ada', { keepaliveMs: 60_000 });
    // Quiet for several ping intervals: the server pings, the core answers.
    const pongs = () => proxy.seen['to-server'].split('"type":"pong"').length - 1;
    await waitFor(() => pongs() >= 3, 'three pings answered');
    expect(ada.status).toBe('registered');
    expect(bob.inbox.all.some((f) => f.type === 'left' && f.name === 'ada')).toBe(false);
    // Its answers no longer reach the server: it is dropped, with reason timeout.
    proxy.lose('to-server');
    await waitFor(
      () =>
        bob.inbox.all.some((f) => f.type === 'left' && f.name === 'ada' && f.reason === 'timeout'),
      'ada to time out',
    );
  });
});
