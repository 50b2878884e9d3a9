// The Confab page in a native WebKitGTK window, run by gjs:
//
//   gjs -m webkit-window.js PAGE_URL [ICON_FILE] [LAUNCHER_PID]
//
// GTK 3 and WebKit2GTK 4.1 come from the system (on Debian and Ubuntu:
// apt-get install gjs gir1.2-webkit2-4.1), so the window needs no compiler
// and no native npm package. It stays small: the page does the chat, this
// only gives it a window that behaves like an application's.
import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import Gtk from 'gi://Gtk?version=3.0';
import WebKit2 from 'gi://WebKit2?version=4.1';
import System from 'system';

const [pageUrl, iconFile, launcherPid] = System.programArgs;
if (!pageUrl) {
  printerr('usage: gjs -m webkit-window.js PAGE_URL [ICON_FILE] [LAUNCHER_PID]');
  System.exit(2);
}

/** How often the launcher is looked for. */
const LAUNCHER_CHECK_MS = 1000;
/** How long the page may take to say <quit> before the window goes anyway. */
const QUIT_GRACE_MS = 3000;
const SIGHUP = 1;
const SIGINT = 2;
const SIGTERM = 15;

GLib.set_prgname('confab');
GLib.set_application_name('Confab');
Gtk.init(null);

/** scheme://host:port of an address, to tell the page's own from the rest of the web. */
function originOf(uri) {
  try {
    const parsed = GLib.Uri.parse(uri, GLib.UriFlags.NONE);
    return `${parsed.get_scheme()}://${parsed.get_host()}:${parsed.get_port()}`;
  } catch {
    return undefined;
  }
}
const pageOrigin = originOf(pageUrl);

const view = new WebKit2.WebView();
const window = new Gtk.Window({ title: 'Confab', default_width: 1100, default_height: 760 });
if (iconFile) {
  try {
    window.set_icon_from_file(iconFile);
  } catch {
    // No loader for the icon's format: the window keeps the default icon.
  }
}
window.add(view);

// The title follows the page's (the room and its unread count).
view.connect('notify::title', () => window.set_title(view.title || 'Confab'));

// The page may show notifications; nothing else may ask for anything.
view.connect('permission-request', (_view, request) => {
  const own = originOf(view.get_uri() ?? '') === pageOrigin;
  if (own && request instanceof WebKit2.NotificationPermissionRequest) request.allow();
  else request.deny();
  return true;
});

// Links lead out of the chat: they open in the default browser, and the
// window never leaves the page (nor opens a second window).
view.connect('decide-policy', (_view, decision, type) => {
  const navigating = type === WebKit2.PolicyDecisionType.NAVIGATION_ACTION;
  const opening = type === WebKit2.PolicyDecisionType.NEW_WINDOW_ACTION;
  if (!navigating && !opening) return false;
  const uri = decision.get_navigation_action().get_request().get_uri();
  if (closing && uri === 'about:blank') return false;
  if (opening || originOf(uri) !== pageOrigin) {
    decision.ignore();
    if (/^https?:/i.test(uri)) openOutside(uri);
    return true;
  }
  return false;
});

function openOutside(uri) {
  try {
    Gio.AppInfo.launch_default_for_uri(uri, null);
  } catch (error) {
    printerr(`cannot open ${uri}: ${error.message}`);
  }
}

// Closing: WebKit fires no pagehide when its window is destroyed, but it does
// when the page is left, and the page then sends <quit>. So the window first
// leaves for about:blank, and goes once that has loaded.
let closing = false;
function close() {
  if (closing) return;
  closing = true;
  view.load_uri('about:blank');
  GLib.timeout_add(GLib.PRIORITY_DEFAULT, QUIT_GRACE_MS, () => {
    Gtk.main_quit();
    return GLib.SOURCE_REMOVE;
  });
}
view.connect('load-changed', (_view, event) => {
  if (closing && event === WebKit2.LoadEvent.FINISHED && view.get_uri() === 'about:blank')
    Gtk.main_quit();
});
window.connect('delete-event', () => {
  close();
  return true;
});
for (const signal of [SIGHUP, SIGINT, SIGTERM]) {
  GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal, () => {
    close();
    return GLib.SOURCE_CONTINUE;
  });
}

// The window runs in a process group of its own, so it outlives a launcher
// killed outright; it then closes, since no one serves its page any more.
if (launcherPid) {
  GLib.timeout_add(GLib.PRIORITY_DEFAULT, LAUNCHER_CHECK_MS, () => {
    if (GLib.file_test(`/proc/${launcherPid}`, GLib.FileTest.EXISTS)) return GLib.SOURCE_CONTINUE;
    close();
    return GLib.SOURCE_REMOVE;
  });
}

view.load_uri(pageUrl);
window.show_all();
Gtk.main();
