import { escapeControls } from '@confab/protocol';

/**
 * Remote text made safe for a blessed box with tags on: control characters
 * a terminal would act on are shown escaped (`^[`), and `{`/`}` cannot open
 * a tag (`{bold}` shows as written). Nothing a peer sends can move the
 * cursor, retitle the window or change colours.
 */
export function safeText(text: string, options: { singleLine?: boolean } = {}): string {
  return escapeTags(escapeControls(text, options));
}

/** Escapes blessed tag braces (what `blessed.escape` does, without loading blessed). */
export function escapeTags(text: string): string {
  return text.replace(/[{}]/g, (brace) => (brace === '{' ? '{open}' : '{close}'));
}
