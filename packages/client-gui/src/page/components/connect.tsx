import { useEffect, useRef, useState } from 'preact/hooks';

/** What the connect form hands back. */
export interface ConnectRequest {
  server: string;
  name: string;
  /** An account's password; empty to come as a guest (or with a kept login). */
  password: string;
}

interface Props {
  initial: { server: string; name: string };
  /** Why the last attempt failed, for people. */
  error: string | undefined;
  /** News that is not a failure (the user left), shown quietly instead of `error`. */
  notice: string | undefined;
  /** Which field the error is about. */
  errorField: 'server' | 'name' | 'password' | undefined;
  busy: boolean;
  onConnect: (request: ConnectRequest) => void;
}

/**
 * The connect screen: server address, name and (for an account) password,
 * the first two remembered for next time, with clear errors.
 */
export function ConnectScreen({ initial, error, notice, errorField, busy, onConnect }: Props) {
  const [server, setServer] = useState(initial.server);
  const [name, setName] = useState(initial.name);
  const [password, setPassword] = useState('');
  const nameField = useRef<HTMLInputElement>(null);
  const serverField = useRef<HTMLInputElement>(null);
  const passwordField = useRef<HTMLInputElement>(null);
  useEffect(() => {
    const field =
      errorField === 'server' ? serverField : errorField === 'password' ? passwordField : nameField;
    field.current?.focus();
  }, [error, errorField]);
  const described = (field: Props['errorField']) =>
    errorField === field ? 'connect-error' : undefined;
  return (
    <main class="connect">
      <form
        class="connect-card"
        aria-labelledby="connect-title"
        onSubmit={(event) => {
          event.preventDefault();
          onConnect({ server: server.trim(), name: name.trim(), password });
          setPassword('');
        }}
      >
        <h1 id="connect-title">Confab</h1>
        <p class="tagline">Join the conversation.</p>
        <label for="server">Server</label>
        <input
          id="server"
          ref={serverField}
          value={server}
          onInput={(e) => setServer(e.currentTarget.value)}
          autocomplete="url"
          spellcheck={false}
          required
          aria-invalid={errorField === 'server'}
          aria-describedby={described('server')}
        />
        <label for="name">Your name</label>
        <input
          id="name"
          ref={nameField}
          value={name}
          onInput={(e) => setName(e.currentTarget.value)}
          autocomplete="username"
          spellcheck={false}
          maxLength={64}
          required
          aria-invalid={errorField === 'name'}
          aria-describedby={described('name')}
        />
        <label for="password">
          Password <span class="hint-inline">(for a registered name; leave empty as a guest)</span>
        </label>
        <input
          id="password"
          type="password"
          ref={passwordField}
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
          autocomplete="current-password"
          aria-invalid={errorField === 'password'}
          aria-describedby={described('password')}
        />
        {error && (
          <p id="connect-error" class="error" role="alert">
            {error}
          </p>
        )}
        {notice && !error && (
          <p id="connect-notice" class="notice" role="status">
            {notice}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Connecting…' : 'Connect'}
        </button>
      </form>
    </main>
  );
}
