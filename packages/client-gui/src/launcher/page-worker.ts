// Serves the page from a worker thread: a native webview's event loop may
// hold the main thread, and the page must still be served.
import { parentPort, workerData } from 'node:worker_threads';
import { servePage } from './page-server.js';

const { root, port } = workerData as { root: string; port: number };
servePage(root, port).then(
  ({ url }) => parentPort!.postMessage({ url }),
  (error: Error) => parentPort!.postMessage({ error: error.message }),
);
