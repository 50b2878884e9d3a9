import { escapeControls, highlightProblem } from '@confab/protocol';
/** What the connect screen remembers for next time. */
export interface Remembered {
  server: string;
  name: string;
}

const KEY = 'confab.connect';

export function recall(): Partial<Remembered> {
  try {
    const value = JSON.parse(localStorage.getItem(KEY) ?? '{}') as Partial<Remembered>;
    return {
      ...(typeof value.server === 'string' ? { server: value.server } : {}),
      ...(typeof value.name === 'string' ? { name: value.name } : {}),
    };
  } catch {
    return {};
  }
}

export function remember(value: Remembered): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(value));
  } catch {
    // Storage off (private mode): nothing is remembered, nothing breaks.
  }
}

const ASKED = 'confab.notifications-asked';

/** Asks once, ever, whether mentions may show desktop notifications. Call from a click. */
export function askForNotificationsOnce(): void {
  if (typeof Notification === 'undefined' || Notification.permission !== 'default') return;
  try {
    if (localStorage.getItem(ASKED)) return;
    localStorage.setItem(ASKED, '1');
  } catch {
    return;
  }
  void Notification.requestPermission();
}

/** A desktop notification for a mention, when the window is not being looked at. */
export function notifyMention(title: string, body: string): void {
  if (
    typeof Notification === 'undefined' ||
    Notification.permission !== 'granted' ||
    !document.hidden
  )
    return;
  const notification = new Notification(escapeControls(title, { singleLine: true }), {
    body: escapeControls(body.slice(0, 200)),
    tag: 'confab-mention',
  });
  notification.onclick = () => window.focus();
}

const NOTIFY = 'confab.notify';

/** Whether mentions notify, and the person's highlight words (`/notify`, `/highlight`), from last time. */
export function notifySettings(): { notify?: boolean; highlights?: string[] } {
  try {
    const value = JSON.parse(localStorage.getItem(NOTIFY) ?? '{}') as {
      notify?: unknown;
      highlights?: unknown;
    };
    const highlights = Array.isArray(value.highlights)
      ? value.highlights.filter((word): word is string => typeof word === 'string')
      : undefined;
    return {
      ...(typeof value.notify === 'boolean' ? { notify: value.notify } : {}),
      ...(highlights && highlightProblem(highlights) === undefined ? { highlights } : {}),
    };
  } catch {
    return {};
  }
}

export function keepNotifySettings(settings: {
  notify: boolean;
  highlights: readonly string[];
}): void {
  try {
    localStorage.setItem(NOTIFY, JSON.stringify(settings));
  } catch {
    // Storage off: the settings last until the page closes.
  }
}

const NO_TYPING = 'confab.no-typing';

/** Whether others are told when this person is typing (`/typing on|off`, kept for next time). */
export function sendsTyping(): boolean {
  try {
    return localStorage.getItem(NO_TYPING) === null;
  } catch {
    return true;
  }
}

export function keepSendsTyping(on: boolean): void {
  try {
    if (on) localStorage.removeItem(NO_TYPING);
    else localStorage.setItem(NO_TYPING, '1');
  } catch {
    // Storage off: the setting lasts until the page closes.
  }
}

const GUEST = 'confab.guest-key';

/** A new guest key: 32 random bytes in base64url (43 characters). */
function newGuestKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

/**
 * This tab's guest key (`hello.guest`): made once per tab and kept across
 * reloads, so the tab's direct conversations come back. Session storage,
 * not local: another tab, or the next person to open the page, is someone
 * else and gets a key of its own.
 */
export function guestKey(): string {
  try {
    let key = sessionStorage.getItem(GUEST);
    if (!key) sessionStorage.setItem(GUEST, (key = newGuestKey()));
    return key;
  } catch {
    // Storage off (private mode): a key for this page's life only.
    return newGuestKey();
  }
}

/** A login kept for a server: the account's name and its session token. */
export interface KeptLogin {
  name: string;
  token: string;
}

const LOGINS = 'confab.logins';

function readLogins(): Record<string, KeptLogin> {
  try {
    const value = JSON.parse(localStorage.getItem(LOGINS) ?? '{}') as unknown;
    return typeof value === 'object' && value !== null
      ? Object.assign(Object.create(null) as Record<string, KeptLogin>, value)
      : Object.create(null);
  } catch {
    return Object.create(null);
  }
}

/** The login kept for a server (the page logs in with it next time), if any. */
export function keptLogin(server: string): KeptLogin | undefined {
  const login = readLogins()[server];
  return login && typeof login.name === 'string' && typeof login.token === 'string'
    ? login
    : undefined;
}

/** Keeps a login for a server, or (`undefined`) forgets it: logged out. */
export function keepLogin(server: string, login: KeptLogin | undefined): void {
  const all = readLogins();
  if (login) all[server] = login;
  else delete all[server];
  try {
    localStorage.setItem(LOGINS, JSON.stringify(all));
  } catch {
    // Storage off: the page logs in with the password each time.
  }
}
