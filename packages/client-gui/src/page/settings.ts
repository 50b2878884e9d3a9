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
  const notification = new Notification(title, { body: body.slice(0, 200), tag: 'confab-mention' });
  notification.onclick = () => window.focus();
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
