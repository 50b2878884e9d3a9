/**
 * @confab/client-tui: the Confab terminal client (`confab`). The pieces that
 * make sense on their own are exported: the TCP transport for the client
 * core, and the safe rendering of remote text for blessed.
 */
export { tcpConnect } from './tcp-transport.js';
export type { Endpoint } from './tcp-transport.js';
export { safeText, escapeTags } from './view/safe-text.js';
export { formatEntry } from './view/format.js';
export { LineEditor } from './view/line-editor.js';
export { VERSION } from './version.js';
