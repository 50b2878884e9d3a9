import type { Connect } from '@confab/protocol';
import { parseFrameText } from '@confab/protocol';

/**
 * The server's `/ws` as a client-core transport: one JSON frame per text
 * message. Browser events always come after `connect` returns, as the core
 * requires.
 */
export function webSocketConnect(url: string): Connect {
  return (handlers) => {
    let failure: string | undefined;
    let ws: WebSocket;
    try {
      ws = new WebSocket(url);
    } catch {
      queueMicrotask(() =>
        handlers.close({ error: `"${url}" is not a WebSocket address (ws://host:port/ws)` }),
      );
      return { send: () => undefined, close: () => undefined };
    }
    ws.onopen = () => handlers.open();
    ws.onmessage = (event: MessageEvent) => {
      if (typeof event.data !== 'string') return;
      const result = parseFrameText(event.data);
      if (result.ok) handlers.frame(result.frame);
      else handlers.decodeError(result.error);
    };
    // Browsers say nothing about why a WebSocket failed: name the usual causes.
    ws.onerror = () => {
      failure ??= `cannot reach ${url}: is the server running, and is the address right?`;
    };
    ws.onclose = () => handlers.close(failure === undefined ? {} : { error: failure });
    return {
      send: (frame) => {
        if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame));
      },
      close: () => ws.close(),
    };
  };
}

/** The WebSocket address for what a person typed: `host:port`, `ws://…`, or `http://…` all work. */
export function webSocketUrl(typed: string): string {
  let text = typed.trim();
  if (!/^[a-z]+:\/\//i.test(text)) text = `ws://${text}`;
  const url = new URL(text.replace(/^http/i, 'ws'));
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/ws';
  return url.toString();
}
