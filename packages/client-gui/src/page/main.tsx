import { render } from 'preact';
import { App } from './app.js';
import type { Defaults } from './app.js';
import { recall } from './settings.js';

// The address may name a server and a name (the launcher passes what it was
// given); otherwise the page offers what was used last time, and the first
// time the server that served it (a chat server serves the page at its `/`).
const params = new URLSearchParams(location.search);
const remembered = recall();
const servedFrom =
  location.protocol === 'https:'
    ? `wss://${location.host}`
    : location.protocol === 'http:'
      ? location.host
      : '127.0.0.1:7420';
const defaults: Defaults = {
  server: params.get('server') ?? remembered.server ?? servedFrom,
  name: params.get('name') ?? remembered.name ?? '',
  autoConnect: params.get('connect') === '1',
};

render(<App defaults={defaults} />, document.getElementById('app')!);
