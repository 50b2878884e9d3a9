import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import type { ConfabServer, ServerOptions } from '@confab/server';
import { JsonClient, Tmux } from '@confab/test-kit';
import { startChatServer } from '@confab/test-kit/server';

/** The built `confab`. */
const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

/**
 * What a test file of the terminal client shares: a server (no rate limit:
 * the tests type fast), the real `confab` in tmux, and other people on the
 * JSON stream. Called once at the top of a file; all of it is let go after
 * the file.
 */
export function terminalChat(options: ServerOptions = {}) {
  const tmux = new Tmux();
  const clients: JsonClient[] = [];
  let server: ConfabServer | undefined;
  let port = 0;
  beforeAll(async () => {
    ({ server, port } = await startChatServer({ rateLimit: 0, ...options }));
  });
  afterAll(async () => {
    for (const client of clients) client.end();
    tmux.kill();
    await server?.close();
  });
  return {
    tmux,
    /** The server's port (once the file's tests run). */
    port: () => port,
    /**
     * Runs `confab` as `name` in the tmux session `session`, with more
     * `flags`; `config`: its config folder (kept logins and guest keys),
     * for a run that comes back as an earlier one (else the session's own).
     */
    confab(session: string, name: string, flags = '', config?: string): void {
      const home = config === undefined ? '' : `XDG_CONFIG_HOME=${config} `;
      tmux.start(
        session,
        `${home}LANG=C.UTF-8 TERM=xterm-256color ${process.execPath} ${CLI} --port ${port} --name ${name} ${flags}`,
      );
    },
    /** Someone on another client (the JSON stream) in #general; `extra`: more of their hello. */
    async other(name: string, extra: Record<string, unknown> = {}): Promise<JsonClient> {
      const client = await JsonClient.connect(port);
      clients.push(client);
      await client.register(name, extra);
      return client;
    },
  };
}
