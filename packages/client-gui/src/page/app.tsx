import type { ChatClient, ClientEvent, Credentials } from '@confab/protocol';
import {
  ChatClient as Client,
  LOGGED_OUT_REASON,
  SESSION_REPLACED_REASON,
  SESSION_REVOKED_REASON,
  askAfterRejection,
  foldName,
} from '@confab/protocol';
import { useEffect, useState } from 'preact/hooks';
import { ChatScreen } from './components/chat.js';
import type { ConnectRequest } from './components/connect.js';
import { ConnectScreen } from './components/connect.js';
import { PAGE_KEYS } from './keys.js';
import {
  guestKey,
  keepLogin,
  keptLogin,
  notifyMention,
  remember,
  keepNotifySettings,
  notifySettings,
  sendsTyping,
} from './settings.js';
import { VERSION } from '../version.js';
import { webSocketConnect, webSocketUrl } from './ws-transport.js';

/** What the page starts with: from the address (`?server=…&name=…`) or from last time. */
export interface Defaults {
  server: string;
  name: string;
  autoConnect: boolean;
}

/** What the connect screen says: why an attempt failed, or (`tone: 'info'`) news that is not a failure. */
type Problem = {
  message: string;
  field: 'server' | 'name' | 'password' | undefined;
  tone?: 'info';
};

/** The credentials a connect request comes with: its password, else the login kept for that server and name. */
function credentialsFor(request: ConnectRequest, register: boolean): Credentials | undefined {
  if (request.password !== '') return { password: request.password, register };
  const kept = keptLogin(request.server);
  return kept && foldName(kept.name) === foldName(request.name) ? { token: kept.token } : undefined;
}

/** How a refused name or login reads on the connect screen, and whether the next password makes the account. */
function refusal(event: Extract<ClientEvent, { type: 'name_rejected' }>, name: string) {
  const ask = askAfterRejection(event);
  if (ask === 'new-password')
    return {
      problem: {
        message: `This server needs an account: type a password to make ${name} yours (or yours already: its password).`,
        field: 'password' as const,
      },
      register: true,
    };
  if (ask === 'password')
    return {
      problem: {
        message:
          event.code === 'auth_failed'
            ? `That did not log in: ${event.message}.`
            : `${name} is a registered name: type its password, or choose another name.`,
        field: 'password' as const,
      },
      register: false,
    };
  return {
    problem: {
      message:
        event.code === 'name_taken'
          ? `The name ${name} is taken. Choose another.`
          : `That name cannot be used: ${event.message}.`,
      field: 'name' as const,
    },
    register: false,
  };
}

/** How an ended session reads on the connect screen. */
function endedProblem(event: Extract<ClientEvent, { type: 'ended' }>): Problem {
  if (event.reason === 'unreachable')
    return {
      message: `Cannot connect: ${event.message ?? 'the server did not answer'}.`,
      field: 'server',
    };
  if (event.reason === 'user')
    return {
      message: 'You left the chat. Connect again whenever you like.',
      field: undefined,
      tone: 'info',
    };
  if (event.message === LOGGED_OUT_REASON)
    return { message: 'You logged out.', field: undefined, tone: 'info' };
  if (event.message === SESSION_REVOKED_REASON)
    return {
      message: 'This session was logged out from another device. Log in again to come back.',
      field: 'password',
      tone: 'info',
    };
  if (event.message === SESSION_REPLACED_REASON)
    return {
      message: 'You connected again from elsewhere as this guest, so this window was let go.',
      field: undefined,
      tone: 'info',
    };
  return {
    message: `The server ended the session${event.message ? `: ${event.message}` : ''}.`,
    field: undefined,
  };
}

/** The whole page: the connect screen until a chat is under way, then the chat. */
export function App({ defaults }: { defaults: Defaults }) {
  const [client, setClient] = useState<ChatClient | undefined>();
  const [registered, setRegistered] = useState(false);
  const [problem, setProblem] = useState<Problem | undefined>();
  const [form, setForm] = useState({ server: defaults.server, name: defaults.name });
  /** After "this server needs an account": the next password makes the account. */
  const [registering, setRegistering] = useState(false);

  const connect = (request: ConnectRequest) => {
    setForm({ server: request.server, name: request.name });
    // Same link, new name or credentials: the server lets a refused hello try again.
    if (client && client.status === 'awaiting_name') {
      setProblem(undefined);
      client.retry(request.name, credentialsFor(request, registering) ?? {});
      return;
    }
    let url: string;
    try {
      url = webSocketUrl(request.server);
    } catch {
      setProblem({
        message: `"${request.server}" is not an address. Try host:port, for example 127.0.0.1:7420.`,
        field: 'server',
      });
      return;
    }
    setProblem(undefined);
    const credentials = credentialsFor(request, registering);
    const next = new Client({
      connect: webSocketConnect(url),
      name: request.name,
      guestKey: guestKey(),
      ...(credentials ? { credentials } : {}),
      clientName: `confab-gui/${VERSION}`,
      keys: PAGE_KEYS,
      sendTyping: sendsTyping(),
      ...notifySettings(),
      // Messages that come while the tab is not in front stay unread.
      isVisible: () => !document.hidden,
      // The server's greeting tells a plain-text user to write <quit>; here there is a button.
      greeting: (name) =>
        `Welcome ${name}: to leave the chat, press Leave at the top right (or type <quit>).`,
    });
    next.subscribe((event) => {
      if (event.type === 'status' && event.status === 'registered') {
        remember({ server: request.server, name: next.model.name });
        setRegistered(true);
      } else if (event.type === 'name_rejected') {
        const { problem: refused, register } = refusal(event, request.name);
        setRegistering(register);
        setProblem(refused);
      } else if (event.type === 'account') {
        if (event.name === undefined) keepLogin(request.server, undefined);
        else if (event.token !== undefined)
          keepLogin(request.server, { name: event.name, token: event.token });
      } else if (event.type === 'settings') {
        keepNotifySettings({ notify: next.notifies, highlights: next.model.highlights });
      } else if (event.type === 'mention' && next.notifies) {
        const conversation = next.model.conversations.get(event.key);
        notifyMention(
          conversation?.target.kind === 'dm'
            ? `${event.entry.from} wrote to you`
            : `${event.entry.from} in ${conversation?.title ?? 'Confab'}`,
          event.entry.text,
        );
      } else if (event.type === 'ended') {
        // The connect screen offers the name this session ended with: after a
        // /nick or a registration, that is the account to log in to again.
        const name = next.model.name || request.name;
        setForm({ server: request.server, name });
        remember({ server: request.server, name });
        setRegistered(false);
        setClient(undefined);
        setProblem(endedProblem(event));
      }
    });
    setClient(next);
    setRegistered(false);
    next.start();
  };

  useEffect(() => {
    if (defaults.autoConnect && defaults.server && defaults.name)
      connect({ server: defaults.server, name: defaults.name, password: '' });
  }, []);

  // Closing the window runs the <quit> handshake: the frame leaves before the page does.
  useEffect(() => {
    if (!client) return undefined;
    const leave = () => client.quit();
    window.addEventListener('pagehide', leave);
    return () => window.removeEventListener('pagehide', leave);
  }, [client]);

  if (client && registered) return <ChatScreen client={client} server={form.server} />;
  return (
    <ConnectScreen
      initial={form}
      error={problem?.tone === 'info' ? undefined : problem?.message}
      notice={problem?.tone === 'info' ? problem.message : undefined}
      errorField={problem?.field}
      busy={client !== undefined && client.status !== 'awaiting_name'}
      onConnect={connect}
    />
  );
}
