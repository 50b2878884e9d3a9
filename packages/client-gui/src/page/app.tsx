import type { ChatClient } from '@confab/protocol';
import { ChatClient as Client } from '@confab/protocol';
import { useEffect, useState } from 'preact/hooks';
import { ChatScreen } from './components/chat.js';
import type { ConnectRequest } from './components/connect.js';
import { ConnectScreen } from './components/connect.js';
import { guestKey, notifyMention, remember } from './settings.js';
import { VERSION } from '../version.js';
import { webSocketConnect, webSocketUrl } from './ws-transport.js';

/** What the page starts with: from the address (`?server=…&name=…`) or from last time. */
export interface Defaults {
  server: string;
  name: string;
  autoConnect: boolean;
}

/** What the connect screen says: why an attempt failed, or (`tone: 'info'`) news that is not a failure. */
type Problem = { message: string; field: 'server' | 'name' | undefined; tone?: 'info' };

/** The whole page: the connect screen until a chat is under way, then the chat. */
export function App({ defaults }: { defaults: Defaults }) {
  const [client, setClient] = useState<ChatClient | undefined>();
  const [registered, setRegistered] = useState(false);
  const [problem, setProblem] = useState<Problem | undefined>();
  const [form, setForm] = useState({ server: defaults.server, name: defaults.name });

  const connect = (request: ConnectRequest) => {
    setForm(request);
    // Same link, new name: the server lets a refused name try again.
    if (client && client.status === 'awaiting_name') {
      setProblem(undefined);
      client.retryName(request.name);
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
    const next = new Client({
      connect: webSocketConnect(url),
      name: request.name,
      guestKey: guestKey(),
      clientName: `confab-gui/${VERSION}`,
    });
    next.subscribe((event) => {
      if (event.type === 'status' && event.status === 'registered') {
        remember({ server: request.server, name: next.model.name });
        setRegistered(true);
      } else if (event.type === 'name_rejected') {
        setProblem({
          message:
            event.code === 'name_taken'
              ? `The name ${request.name} is taken. Choose another.`
              : `That name cannot be used: ${event.message}.`,
          field: 'name',
        });
      } else if (event.type === 'mention') {
        const conversation = next.model.conversations.get(event.key);
        notifyMention(
          conversation?.target.kind === 'dm'
            ? `${event.entry.from} wrote to you`
            : `${event.entry.from} in ${conversation?.title ?? 'Confab'}`,
          event.entry.text,
        );
      } else if (event.type === 'ended') {
        setRegistered(false);
        setClient(undefined);
        if (event.reason === 'unreachable')
          setProblem({
            message: `Cannot connect: ${event.message ?? 'the server did not answer'}.`,
            field: 'server',
          });
        else if (event.reason === 'server')
          setProblem({
            message: `The server ended the session${event.message ? `: ${event.message}` : ''}.`,
            field: undefined,
          });
        else
          setProblem({
            message: 'You left the chat. Connect again whenever you like.',
            field: undefined,
            tone: 'info',
          });
      }
    });
    setClient(next);
    setRegistered(false);
    next.start();
  };

  useEffect(() => {
    if (defaults.autoConnect && defaults.server && defaults.name)
      connect({ server: defaults.server, name: defaults.name });
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
