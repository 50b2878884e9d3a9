import type { ChatClient } from '@confab/protocol';
import { LIMITS } from '@confab/protocol';
import { useState } from 'preact/hooks';
import { Name } from './messages.js';

/**
 * Who the user is: their name, an account's or a guest's; a guest may
 * register the name (a password field, never shown), an account log out.
 */
export function You({ client }: { client: ChatClient }) {
  const [registering, setRegistering] = useState(false);
  const [password, setPassword] = useState('');
  const { name, account } = client.model;
  return (
    <section class="you" aria-labelledby="you-title">
      <h2 id="you-title">You</h2>
      <p class="whoami">
        <Name name={name} self /> <span class="kind">{account ? 'account' : 'guest'}</span>
      </p>
      {account !== undefined ? (
        <button type="button" class="small" onClick={() => client.logout()}>
          Log out
        </button>
      ) : registering ? (
        <form
          class="register"
          onSubmit={(event) => {
            event.preventDefault();
            if (client.register(password) === undefined) setRegistering(false);
            setPassword('');
          }}
        >
          <label for="register-password">A password to keep {name} yours</label>
          <input
            id="register-password"
            type="password"
            autocomplete="new-password"
            minLength={LIMITS.minPasswordChars}
            required
            value={password}
            onInput={(event) => setPassword(event.currentTarget.value)}
          />
          <span class="actions">
            <button type="submit" class="small">
              Register
            </button>
            <button type="button" class="small" onClick={() => setRegistering(false)}>
              Cancel
            </button>
          </span>
        </form>
      ) : (
        <button type="button" class="small" onClick={() => setRegistering(true)}>
          Register this name
        </button>
      )}
    </section>
  );
}
