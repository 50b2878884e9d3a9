import { INPUT_COMMANDS } from '@confab/protocol';
import { useRef, useState } from 'preact/hooks';

interface Props {
  label: string;
  disabled: boolean;
  /** Sends the text; false when it could not go (too long, a mistake, no link): it stays to be mended. */
  onSend: (text: string) => boolean;
}

/** Commands that complete what is typed at the start of the line (`/ba` → `/ban`, `/bans`). */
function suggestionsFor(text: string): typeof INPUT_COMMANDS {
  const match = /^\/([a-z]*)$/i.exec(text);
  if (!match) return [];
  const typed = match[1]!.toLowerCase();
  return INPUT_COMMANDS.filter((command) => command.name.startsWith(typed)).slice(0, 8);
}

/**
 * The message input: Enter sends, Shift+Enter starts a new line; `/commands`
 * and `<quit>` work here. Typing `/` lists the commands that match (Tab
 * takes the first).
 */
export function Composer({ label, disabled, onSend }: Props) {
  const [text, setText] = useState('');
  const field = useRef<HTMLTextAreaElement>(null);
  const send = () => {
    if (text.trim() === '') return;
    if (onSend(text)) setText('');
    field.current?.focus();
  };
  const suggestions = suggestionsFor(text);
  const take = (name: string) => {
    setText(`/${name} `);
    field.current?.focus();
  };
  const rows = Math.min(6, text.split('\n').length);
  return (
    <form
      class="composer"
      onSubmit={(event) => {
        event.preventDefault();
        send();
      }}
    >
      {suggestions.length > 0 && (
        <ul class="suggestions" id="command-suggestions" aria-label="Commands">
          {suggestions.map((command) => (
            <li key={command.name}>
              <button type="button" tabIndex={-1} onClick={() => take(command.name)}>
                <code>{command.usage}</code> <span>{command.summary}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <textarea
        ref={field}
        aria-label={label}
        aria-describedby={suggestions.length > 0 ? 'command-suggestions' : undefined}
        placeholder={label}
        title="Enter sends; Shift+Enter starts a new line; /help lists the commands"
        rows={rows}
        value={text}
        disabled={disabled}
        onInput={(e) => setText(e.currentTarget.value)}
        onKeyDown={(event) => {
          if (event.key === 'Tab' && suggestions.length > 0) {
            event.preventDefault();
            take(suggestions[0]!.name);
            return;
          }
          if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
            event.preventDefault();
            send();
          }
        }}
      />
      <button type="submit" disabled={disabled || text.trim() === ''}>
        Send
      </button>
    </form>
  );
}
