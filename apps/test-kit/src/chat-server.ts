import { createServer } from '@confab/server';
import type { ConfabServer, ServerOptions } from '@confab/server';

/**
 * A Confab server in this process, listening on 127.0.0.1: on a free port,
 * with silent logs, and the memory store unless given a `dataDir` (SQLite
 * there; `redis` always means Redis, and a node's search index in memory
 * unless given a `dataDir`). For the clients' and the whole
 * system's tests, which run the built server; the server's own tests start
 * it from its sources (`packages/server/test/helpers.ts`).
 */
export async function startChatServer(
  options: ServerOptions = {},
): Promise<{ server: ConfabServer; port: number }> {
  const server = createServer({
    port: 0,
    logLevel: 'silent',
    // Without a folder, nothing is kept on disk: no history, and a cluster
    // node's copy of the search index in memory.
    ...(options.dataDir === undefined ? { store: 'memory', searchIndex: 'memory' } : {}),
    ...options,
  });
  const { port } = await server.listen();
  return { server, port };
}
