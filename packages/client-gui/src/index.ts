/**
 * @confab/client-gui: the Confab chat as a web page in a window. The
 * launcher's parts are exported for embedding: the page server with its
 * Content-Security-Policy, and the window openers.
 */
export { PAGE_CONTENT_SECURITY_POLICY as CONTENT_SECURITY_POLICY } from '@confab/protocol';
export { createPageServer, servePage } from './launcher/page-server.js';
export { tryWebview, WEBVIEW_MODULE } from './launcher/webview.js';
export type { WebviewAttempt } from './launcher/webview.js';
export {
  findGjs,
  openWebKitWindow,
  probeWebKitGtk,
  WEBKIT_GTK_INSTALL,
} from './launcher/webkit-gtk.js';
export type { WebKitGtk } from './launcher/webkit-gtk.js';
export { findChromium, openAppWindow, openDefaultBrowser } from './launcher/browser.js';
export { parseGuiArgs, pageAddress } from './args.js';
export { VERSION } from './version.js';
