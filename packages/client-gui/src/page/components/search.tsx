import type { ChatClient, SearchHit } from '@confab/protocol';
import { dayLabel, escapeControls } from '@confab/protocol';
import { clockTime } from '@confab/protocol';
import { useEffect, useRef, useState } from 'preact/hooks';
import { Name } from './messages.js';

/** When a hit was sent, as the person's language writes it, with its day. */
function when(ts: number): string {
  return `${dayLabel(ts, Date.now())} ${clockTime(ts, navigator.language)}`;
}

/** Where a hit is: its room, or the direct conversation it is in. */
function Where({ hit, client }: { hit: SearchHit; client: ChatClient }) {
  if (hit.room !== undefined) return <bdi>{escapeControls(hit.room, { singleLine: true })}</bdi>;
  const peer = client.isSelf(hit.from) ? (hit.to ?? hit.from) : hit.from;
  return (
    <>
      with <Name name={peer} />
    </>
  );
}

/**
 * Search (`/search`, or the Search button) as a panel: a box for the
 * words (`in:#room`, `from:name`, `with:name` narrow it), the hits newest
 * first with what matched marked, each opening its message in its
 * conversation; older ones a page at a time. Text only: snippets are
 * text nodes in `<mark>`, never HTML.
 */
export function SearchPanel({ client, onClose }: { client: ChatClient; onClose: () => void }) {
  const state = client.searches.state;
  const [words, setWords] = useState(
    state ? [state.query, ...filterWords(state.filters)].join(' ') : '',
  );
  const field = useRef<HTMLInputElement>(null);
  useEffect(() => field.current?.focus(), []);
  return (
    <section
      class="search-panel"
      role="dialog"
      aria-labelledby="search-title"
      onKeyDown={(event) => {
        if (event.key === 'Escape') onClose();
      }}
    >
      <header>
        <h2 id="search-title">Search</h2>
        <button type="button" class="small" onClick={onClose}>
          Close
        </button>
      </header>
      <form
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          if (words.trim()) client.submit(`/search ${words.trim()}`);
        }}
      >
        <input
          ref={field}
          type="search"
          aria-label="Search messages"
          value={words}
          placeholder='words, "a phrase", in:#room, from:name'
          onInput={(event) => setWords(event.currentTarget.value)}
        />
        <button type="submit" class="small">
          Search
        </button>
      </form>
      {state?.error !== undefined && (
        <p class="hint error" role="alert">
          {state.error}
        </p>
      )}
      {state && !state.loading && state.error === undefined && state.hits.length === 0 && (
        <p class="hint">Nothing found.</p>
      )}
      {state && state.hits.length > 0 && (
        <ol class="hits" aria-label={`Messages found for ${state.query}`}>
          {state.hits.map((hit) => (
            <li key={`${hit.room ?? ''}:${hit.id}`}>
              <button
                type="button"
                class="hit"
                onClick={() => {
                  client.openHit(hit);
                  onClose();
                }}
              >
                <span class="hit-where">
                  <Where hit={hit} client={client} /> · <Name name={hit.from} /> ·{' '}
                  <time>{when(hit.ts)}</time>
                </span>
                <span class="hit-text" dir="auto">
                  {hit.snippet.map((part, i) =>
                    part.hit ? (
                      <mark key={i}>{escapeControls(part.text, { singleLine: true })}</mark>
                    ) : (
                      escapeControls(part.text, { singleLine: true })
                    ),
                  )}
                </span>
              </button>
            </li>
          ))}
        </ol>
      )}
      {state?.loading && <p class="hint">Searching…</p>}
      {state?.more && !state.loading && (
        <button type="button" class="small" onClick={() => client.searches.more()}>
          Older messages
        </button>
      )}
    </section>
  );
}

/** The filters of a search as the words that ask for them. */
function filterWords(filters: { room?: string; with?: string; from?: string }): string[] {
  return [
    ...(filters.room === undefined ? [] : [`in:${filters.room}`]),
    ...(filters.from === undefined ? [] : [`from:${filters.from}`]),
    ...(filters.with === undefined ? [] : [`with:${filters.with}`]),
  ];
}
