import type { ServerFrame } from '@confab/protocol';
import { describe, expect, it } from 'vitest';
import type { FrameClient } from './helpers.js';
import {
  JsonClient,
  PlainClient,
  WsClient,
  joinRoom,
  say,
  startServer,
  tempDir,
  testScope,
} from './helpers.js';

const scope = testScope();
const { cleanups, serve } = scope;

type Results = Extract<ServerFrame, { type: 'search_results' }>;

let refs = 0;

/** Sends a search; resolves with its answer (results, or the error refusing it). */
async function search(
  client: FrameClient,
  query: string,
  more: Record<string, unknown> = {},
): Promise<Results | Extract<ServerFrame, { type: 'error' }>> {
  const ref = `s${++refs}`;
  client.send({ type: 'search', query, ...more, ref });
  const answer = await client.inbox.take(
    (f) => (f.type === 'search_results' || f.type === 'error') && 'ref' in f && f.ref === ref,
    'the search answer',
  );
  return answer as Results | Extract<ServerFrame, { type: 'error' }>;
}

/** The hits' snippets as text, what matched in [brackets]. */
function marked(results: Results): string[] {
  return results.hits.map((hit) =>
    hit.snippet.map((part) => (part.hit ? `[${part.text}]` : part.text)).join(''),
  );
}

describe('search', () => {
  it('finds what the person may read, in rooms and their direct messages, never elsewhere', async () => {
    const port = await serve();
    const ada = await scope.person(port, 'ada', { guest: 'ada-own-secret-key-0123456789' });
    // An account: a room it makes is its own, to make secret.
    const bob = await scope.person(port, 'bob', {
      features: ['rooms'],
      password: 'correct horse',
      register: true,
    });
    await say(ada, 'The quarterly Report is due');
    await joinRoom(bob, '#vault');
    bob.send({ type: 'mode', room: '#vault', secret: true, invite_only: true });
    await bob.next('room', (r) => r.room === '#vault' && r.secret);
    await say(bob, 'the secret report numbers', '#vault');
    bob.send({ type: 'dm', to: 'ada', text: 'did you read the report?', ref: 'd' });
    await bob.next('ack', (a) => a.ref === 'd');
    await ada.next('message', (m) => m.to === 'ada');
    const found = (await search(ada, 'report')) as Results;
    expect(found.type).toBe('search_results');
    expect(marked(found)).toEqual(['did you read the [report]?', 'The quarterly [Report] is due']);
    expect(found.hits[0]).toMatchObject({ from: 'bob', to: 'ada', dseq: 1 });
    expect(found.hits[1]).toMatchObject({ from: 'ada', room: '#general', seq: 1 });
    // bob finds the secret room's; ada, not in it, cannot ask there.
    expect(marked((await search(bob, 'numbers')) as Results)).toEqual([
      'the secret report [numbers]',
    ]);
    expect(await search(ada, 'numbers', { room: '#vault' })).toMatchObject({
      code: 'not_in_room',
    });
    expect(((await search(ada, 'numbers')) as Results).hits).toEqual([]);
    // Narrowed to a conversation, or a sender.
    expect(marked((await search(ada, 'report', { with: 'bob' })) as Results)).toEqual([
      'did you read the [report]?',
    ]);
    expect(marked((await search(ada, 'report', { from: 'ada' })) as Results)).toEqual([
      'The quarterly [Report] is due',
    ]);
    expect(await search(ada, 'ok')).toMatchObject({ code: 'invalid_field' });
    expect(await search(ada, 'report', { cursor: 'nope' })).toMatchObject({
      code: 'invalid_field',
    });
  });

  it('finds an edited message by its new text and a deleted one not at all, over WebSocket too', async () => {
    const port = await serve();
    const ada = await scope.person(port, 'ada', { features: ['edits'] });
    const typo = await say(ada, 'meet at the usual plase');
    const gone = await say(ada, 'the door code is 4711');
    ada.send({ type: 'edit', room: '#general', id: typo.id, text: 'meet at the usual place' });
    await ada.next('edited');
    ada.send({ type: 'delete', room: '#general', id: gone.id });
    await ada.next('deleted');
    const web = await WsClient.connect(port);
    cleanups.push(() => web.end());
    await web.register('web');
    expect(marked((await search(web, 'usual')) as Results)).toEqual(['meet at the [usual] place']);
    expect(((await search(web, 'plase')) as Results).hits).toEqual([]);
    expect(((await search(web, 'door code')) as Results).hits).toEqual([]);
  });

  it('pages through many hits with the cursor, and marks every match in a long text’s snippet', async () => {
    const port = await serve();
    const ada = await scope.person(port, 'ada');
    for (let n = 1; n <= 30; n++) await say(ada, `build ${n} is green`);
    await say(ada, `${'x'.repeat(300)} the build, and the build again ${'y'.repeat(300)}`);
    const first = (await search(ada, 'build', { limit: 20 })) as Results;
    expect(first.hits).toHaveLength(20);
    const [long] = first.hits;
    expect(long!.snippet.filter((part) => part.hit).map((part) => part.text)).toEqual([
      'build',
      'build',
    ]);
    expect(long!.snippet[0]!.text.startsWith('…')).toBe(true);
    expect(long!.snippet.at(-1)!.text.endsWith('…')).toBe(true);
    const second = (await search(ada, 'build', { limit: 20, cursor: first.next })) as Results;
    const seqs = [...first.hits, ...second.hits].map((hit) => hit.seq);
    expect(seqs).toEqual(Array.from({ length: 31 }, (_, i) => 31 - i));
    expect(second.next).toBeUndefined();
  });

  it('keeps its index with the SQLite history across a restart', async () => {
    const data = tempDir();
    cleanups.push(() => data.remove());
    const first = await startServer({ store: 'sqlite', dataDir: data.path });
    const ada = await JsonClient.connect(first.port);
    await ada.register('ada');
    await say(ada, 'ünïcode survives restarts');
    ada.end();
    await first.server.close();
    const again = await startServer({ store: 'sqlite', dataDir: data.path });
    cleanups.push(() => again.server.close());
    const back = await scope.person(again.port, 'ada');
    expect(marked((await search(back, 'unicode')) as Results)).toEqual([
      '[ünïcode] survives restarts',
    ]);
  });

  it('answers /search in plain text with a line per hit', async () => {
    const port = await serve();
    const ada = await scope.person(port, 'ada');
    await say(ada, 'lunch at the new place');
    const pat = await PlainClient.connect(port);
    pat.type('pat');
    await pat.line('Welcome pat');
    pat.type('/search "new place"');
    await pat.line('Found for "new place", newest first:');
    expect(await pat.line(/^\* {3}\[/)).toMatch(
      /^\* {3}\[\d{4}-\d\d-\d\d \d\d:\d\d\] #general <ada> lunch at the \[new place\]$/,
    );
    pat.type('/search nothing-like-it');
    await pat.line('Nothing found for nothing-like-it.');
    await pat.quit();
  });
});
