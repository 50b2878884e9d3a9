/** The protocol version this package speaks. Stable. */
export const PROTOCOL_VERSION = 1;

/** The room every user is in after `welcome`. */
export const DEFAULT_ROOM = '#general';

/** The word a user types alone on the input line to leave. */
export const QUIT_WORD = '<quit>';

/**
 * Default limits of protocol version 1. A server may be configured with other
 * frame and text limits; the name and room rules are fixed.
 */
export const LIMITS = {
  /** Maximum bytes of one frame on the wire, its line ending included. @default 65536 */
  maxFrameBytes: 65_536,
  /** Maximum bytes of UTF-8 in a message text. @default 4096 */
  maxTextBytes: 4_096,
  /** Maximum Unicode code points in a name after NFC. */
  maxNameCodePoints: 32,
  /** Maximum characters after `#` in a room name. */
  maxRoomChars: 64,
  /** Maximum length of `ref`, `client` and `quit.reason` strings (UTF-16 code units). */
  maxRefChars: 64,
  maxClientChars: 128,
  maxReasonChars: 256,
  /** Length bounds of `hello.guest`, a client-made secret (22 characters of base64url carry 132 bits). */
  minGuestKeyChars: 22,
  maxGuestKeyChars: 128,
  /** Password length bounds, in characters (UTF-16 units). */
  minPasswordChars: 8,
  maxPasswordChars: 1024,
  /** Longest session token or session id accepted (the server makes 43-character tokens). */
  maxTokenChars: 128,
  /** Maximum rooms named in one `hello.resume`. */
  maxResumeRooms: 64,
  /** `history.limit` bounds and default. */
  maxHistoryLimit: 200,
  defaultHistoryLimit: 50,
  /** `search`: the longest query (UTF-16 units), its most words and phrases, the shortest of each (characters, trigrams being the index's unit), and `limit`'s bounds. */
  maxSearchChars: 200,
  maxSearchTerms: 8,
  minSearchChars: 3,
  maxSearchLimit: 50,
  defaultSearchLimit: 20,
  /** Characters of text around the first match a search hit shows, on each side. */
  searchSnippetChars: 48,
  /** Highlight words a client keeps besides the user's name, at most, and the longest. */
  maxHighlights: 20,
  maxHighlightChars: 64,
  /** Messages replayed on join. */
  joinReplay: 50,
  /** Longest room topic (UTF-16 units). */
  maxTopicChars: 300,
  /** Most entries in `hello.features`, and the longest. */
  maxFeatures: 16,
  maxFeatureChars: 32,
  /** Longest filter of `list` and `users`. */
  maxFilterChars: 64,
  /** Longest ban or mute, in seconds (ten years); none given: until lifted. */
  maxBanSeconds: 315_360_000,
  /** `modlog.limit` bounds and default. */
  maxModlogLimit: 200,
  defaultModlogLimit: 50,
  /** A client sends `typing` at most this often while its person writes (milliseconds). */
  typingEveryMs: 3_000,
  /** The server passes on one `typing` per connection and conversation at most this often. */
  typingRelayMs: 2_000,
  /** How long a client shows that someone is typing without news from them. */
  typingShowMs: 6_000,
  /** Characters of the answered message a reply carries (`message.reply.text`). */
  replyExcerptChars: 100,
  /** Different reactions (emoji) one message may carry; one of each per person. */
  maxReactionKinds: 20,
  /** Bytes of UTF-8 in one reaction: a single emoji, however many code points it joins. */
  maxReactionBytes: 64,
  /** Milliseconds a server waits for `hello`. @default 10000 */
  handshakeTimeoutMs: 10_000,
  /** Milliseconds a client waits for the server's `quit` before closing anyway. @default 2000 */
  quitTimeoutMs: 2_000,
} as const;
