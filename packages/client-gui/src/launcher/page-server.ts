import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { PAGE_FILE_TYPES, pageHeaders } from '@confab/protocol';

/**
 * Serves the built page from `root` on 127.0.0.1: GET and HEAD of its own
 * files, with the CSP and no-sniff headers; nothing else.
 */
export function createPageServer(root: string): http.Server {
  return http.createServer((request, response) => {
    void (async () => {
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        response.writeHead(405, { Allow: 'GET, HEAD' }).end();
        return;
      }
      const path = decodeURIComponent(new URL(request.url ?? '/', 'http://page').pathname);
      const file = normalize(join(root, path === '/' ? 'index.html' : path));
      const type = PAGE_FILE_TYPES[extname(file)];
      if (!file.startsWith(root) || !type) {
        response.writeHead(404).end();
        return;
      }
      try {
        const body = await readFile(file);
        response.writeHead(200, pageHeaders(type));
        response.end(request.method === 'HEAD' ? undefined : body);
      } catch {
        response.writeHead(404).end();
      }
    })();
  });
}

/** Starts serving on 127.0.0.1 (port 0: any free one) and returns the page's address. */
export function servePage(root: string, port = 0): Promise<{ url: string; server: http.Server }> {
  const server = createPageServer(root);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${address.port}/`, server });
    });
  });
}
