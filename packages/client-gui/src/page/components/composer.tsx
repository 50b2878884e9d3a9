import { useRef, useState } from 'preact/hooks';

interface Props {
  label: string;
  disabled: boolean;
  /** Sends the text; false when it could not go (too long, a mistake, no link): it stays to be mended. */
  onSend: (text: string) => boolean;
}

/** The message input: Enter sends, Shift+Enter starts a new line; `/commands` and `<quit>` work here. */
export function Composer({ label, disabled, onSend }: Props) {
  const [text, setText] = useState('');
  const field = useRef<HTMLTextAreaElement>(null);
  const send = () => {
    if (text.trim() === '') return;
    if (onSend(text)) setText('');
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
      <textarea
        ref={field}
        aria-label={label}
        placeholder={label}
        title="Enter sends; Shift+Enter starts a new line; /help lists the commands"
        rows={rows}
        value={text}
        disabled={disabled}
        onInput={(e) => setText(e.currentTarget.value)}
        onKeyDown={(event) => {
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
