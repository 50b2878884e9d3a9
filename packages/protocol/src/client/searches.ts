import type { ErrorFrame, SearchFrame, SearchHit, SearchResultsFrame } from '../frames.js';

/** Where a search looks beyond its words: a room, a direct conversation, a sender. */
export interface SearchFilters {
  room?: string;
  with?: string;
  from?: string;
}

/** The search a view shows: what was asked, what was found so far, and whether more is coming. */
export interface SearchState {
  query: string;
  filters: SearchFilters;
  /** Newest first, every page so far. */
  hits: SearchHit[];
  /** Older hits may exist: `more` asks for them. */
  more: boolean;
  /** A page is on its way. */
  loading: boolean;
  /** Why the server refused it. */
  error?: string;
}

/**
 * The client's side of `search`: one search at a time (a new one replaces
 * the one shown), its pages gathered as they come, an answer to an earlier
 * search ignored.
 */
export class Searches {
  /** The search shown, if any. */
  state: SearchState | undefined;
  private ref: string | undefined;
  private next: string | undefined;
  private count = 0;

  constructor(
    private readonly send: (frame: SearchFrame) => void,
    private readonly changed: () => void,
  ) {}

  /** Asks for the first page of a search. */
  start(query: string, filters: SearchFilters): void {
    this.state = { query, filters, hits: [], more: false, loading: true };
    this.next = undefined;
    this.ask();
  }

  /** Asks for the next older page, when there may be one and none is on its way. */
  more(): boolean {
    const state = this.state;
    if (!state || state.loading || this.next === undefined) return false;
    state.loading = true;
    this.ask(this.next);
    return true;
  }

  /** A page came; true when it answers the search shown. */
  results(frame: SearchResultsFrame): boolean {
    const state = this.state;
    if (!state || frame.ref === undefined || frame.ref !== this.ref) return false;
    state.hits = [...state.hits, ...frame.hits];
    this.next = frame.next;
    state.more = frame.next !== undefined;
    state.loading = false;
    this.changed();
    return true;
  }

  /** A refusal came; true when it refuses the search shown. */
  refused(frame: ErrorFrame): boolean {
    const state = this.state;
    if (!state || frame.ref === undefined || frame.ref !== this.ref) return false;
    state.loading = false;
    state.more = false;
    state.error = frame.message;
    this.changed();
    return true;
  }

  private ask(cursor?: string): void {
    const state = this.state!;
    this.ref = `search-${++this.count}`;
    this.send({
      type: 'search',
      query: state.query,
      ...state.filters,
      ...(cursor === undefined ? {} : { cursor }),
      ref: this.ref,
    });
    this.changed();
  }
}
