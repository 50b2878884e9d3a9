import { describe, expect, it } from 'vitest';
import { JsonClient, PlainClient, WsClient, spawnServer, startServer, tempDir } from './helpers.js';

describe('shutdown', () => {
  it('tells every client server_shutdown after what was queued, and is idempotent', async () => {
    const { server, port } = await startServer({ rateLimit: 0 });
    const ada = await JsonClient.connect(port);
    await ada.register('ada');
    const web = await WsClient.connect(port);
    await web.register('wes');
    const nc = await PlainClient.connect(port);
    nc.type('pat');
    await nc.line('Welcome pat');
    for (let i = 0; i < 20; i++)
      ada.send({ type: 'say', room: '#general', text: `m${i}`, ref: `r${i}` });
    await ada.next('message', (m) => m.text === 'm0');
    const closing = server.close();
    expect(server.close()).toBe(closing);
    await closing;
    const frames = ada.inbox.all;
    expect(frames.at(-1)).toEqual({ type: 'quit', reason: 'server_shutdown' });
    expect(frames.filter((f) => f.type === 'ack')).toHaveLength(20);
    expect(await web.next('quit')).toEqual({ type: 'quit', reason: 'server_shutdown' });
    await nc.line('The server is shutting down');
    await Promise.all([ada.closed, web.closed, nc.closed]);
    // Everyone is being told the server stops: no one is also told that each of the others left.
    expect(frames.filter((f) => f.type === 'left')).toEqual([]);
    expect(web.inbox.all.filter((f) => f.type === 'left')).toEqual([]);
    expect(nc.text()).not.toMatch(/left #general/);
  });

  it('stops on SIGTERM with exit code 0, clients told, history flushed', async () => {
    const dir = tempDir();
    const { child, ports, output } = await spawnServer(['--port', '0', '--data-dir', dir.path]);
    const port = ports[0]!;
    const ada = await JsonClient.connect(port);
    await ada.register('ada');
    ada.send({ type: 'say', room: '#general', text: 'kept', ref: 'k' });
    await ada.next('ack');
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => resolve(code)),
    );
    const started = Date.now();
    child.kill('SIGTERM');
    expect(await ada.next('quit')).toEqual({ type: 'quit', reason: 'server_shutdown' });
    expect(await exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(output()).toContain('"msg":"stopped"');
    // The message is in the database for the next start.
    const { server, port: again } = await startServer({ store: 'sqlite', dataDir: dir.path });
    const bob = await JsonClient.connect(again);
    bob.send({ type: 'hello', version: 1, name: 'bob' });
    expect(await bob.next('history')).toMatchObject({ messages: [{ text: 'kept', seq: 1 }] });
    bob.end();
    await server.close();
    dir.remove();
  });
});
