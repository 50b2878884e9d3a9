import { INPUT_COMMANDS, escapeControls } from '@confab/protocol';
import { useEffect, useRef, useState } from 'preact/hooks';
import { Name } from './messages.js';

interface Props {
  label: string;
  disabled: boolean;
  /** Sends the text; false when it could not go as it is (too long, no link): it stays to be mended. */
  onSend: (text: string) => boolean;
  /** The text changed as the person typed it. */
  onType: (text: string) => void;
  /** The message the next one answers (its Reply button was pressed), and how to forget it. */
  answering?: { from: string; text: string } | undefined;
  onCancelAnswer: () => void;
  /** The user's message being edited (its Edit button, `/edit`): its text is put in the input. */
  editing?: { id: string; text: string } | undefined;
  onCancelEdit: () => void;
}

/** Commands that complete what is typed at the start of the line (`/ba` → `/ban`, `/bans`). */
function suggestionsFor(text: string): typeof INPUT_COMMANDS {
  const match = /^\/([a-z]*)$/i.exec(text);
  if (!match) return [];
  const typed = match[1]!.toLowerCase();
  return INPUT_COMMANDS.filter((command) => command.name.startsWith(typed)).slice(0, 8);
}

/** Lines kept for Up/Down recall, as in the terminal client. */
const RECALL_LIMIT = 100;
/** A line that carries a password is never kept for recall. */
const SECRET_COMMAND = /^\/(register|login|password)\b/i;

/**
 * The message input: Enter sends, Shift+Enter starts a new line; `/commands`
 * and `<quit>` work here. Typing `/` lists the commands that match (Tab
 * takes the first). Up and Down recall what was typed, as in the terminal
 * client, from the input's first or last line (so they still move between
 * the lines of a longer text).
 */
export function Composer({
  label,
  disabled,
  onSend,
  onType,
  answering,
  onCancelAnswer,
  editing,
  onCancelEdit,
}: Props) {
  const [text, setText] = useState('');
  const field = useRef<HTMLTextAreaElement>(null);
  const recall = useRef({ lines: [] as string[], at: 0, draft: '' });
  const send = () => {
    if (text.trim() === '') return;
    const kept = recall.current;
    if (!SECRET_COMMAND.test(text) && kept.lines.at(-1) !== text) {
      kept.lines.push(text);
      if (kept.lines.length > RECALL_LIMIT) kept.lines.shift();
    }
    kept.at = kept.lines.length;
    if (onSend(text)) setText('');
    field.current?.focus();
  };
  /** Up (-1) or Down (1) through what was typed; false when there is nothing that way. */
  const step = (by: -1 | 1): boolean => {
    const kept = recall.current;
    const to = kept.at + by;
    if (to < 0 || to > kept.lines.length) return false;
    if (kept.at === kept.lines.length) kept.draft = text;
    kept.at = to;
    setText(to === kept.lines.length ? kept.draft : kept.lines[to]!);
    return true;
  };
  // Reply pressed: the input is where the answer is written.
  const answered = answering ? `${answering.from}\n${answering.text}` : undefined;
  useEffect(() => {
    if (answered !== undefined) field.current?.focus();
  }, [answered]);
  // Edit pressed: the input holds the text, to be mended and sent again.
  useEffect(() => {
    if (!editing) return;
    setText(editing.text);
    field.current?.focus();
  }, [editing?.id]);
  const cancelEdit = () => {
    onCancelEdit();
    setText('');
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
      {answering && (
        <p class="answering">
          <span>
            Replying to <Name name={answering.from} />:{' '}
            <span dir="auto">{escapeControls(answering.text, { singleLine: true })}</span>
          </span>
          <button type="button" class="small" aria-label="Do not reply" onClick={onCancelAnswer}>
            ✕
          </button>
        </p>
      )}
      {editing && (
        <p class="answering editing">
          <span>Editing your message: Enter saves it, Esc leaves it as it was.</span>
          <button type="button" class="small" aria-label="Do not edit" onClick={cancelEdit}>
            ✕
          </button>
        </p>
      )}
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
        title="Enter sends; Shift+Enter starts a new line; Up recalls; /help lists the commands and keys"
        rows={rows}
        value={text}
        disabled={disabled}
        onInput={(e) => {
          setText(e.currentTarget.value);
          onType(e.currentTarget.value);
        }}
        onKeyDown={(event) => {
          if (event.key === 'Escape' && editing) {
            cancelEdit();
            return;
          }
          if (event.key === 'Escape' && answering) {
            onCancelAnswer();
            return;
          }
          if (event.key === 'Tab' && suggestions.length > 0) {
            event.preventDefault();
            take(suggestions[0]!.name);
            return;
          }
          if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
            event.preventDefault();
            send();
            return;
          }
          const area = event.currentTarget;
          const plain = !event.altKey && !event.ctrlKey && !event.metaKey && !event.shiftKey;
          const onFirstLine = !area.value.slice(0, area.selectionStart).includes('\n');
          const onLastLine = !area.value.slice(area.selectionEnd).includes('\n');
          if (plain && event.key === 'ArrowUp' && onFirstLine && step(-1)) event.preventDefault();
          if (plain && event.key === 'ArrowDown' && onLastLine && step(1)) event.preventDefault();
        }}
      />
      <button type="submit" disabled={disabled || text.trim() === ''}>
        Send
      </button>
    </form>
  );
}
