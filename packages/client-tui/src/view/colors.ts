import { foldName } from '@confab/protocol';

/** Colours names are drawn in; each name keeps one, whoever looks. */
const NAME_COLOURS = [
  'red',
  'green',
  'yellow',
  'blue',
  'magenta',
  'cyan',
  'light-red',
  'light-green',
  'light-blue',
  'light-magenta',
  'light-cyan',
] as const;

/** The colour of a name: a hash of its folded form, so `Ada` and `ada` match. */
export function nameColour(name: string): string {
  let hash = 2166136261;
  for (const char of foldName(name)) {
    hash ^= char.codePointAt(0)!;
    hash = Math.imul(hash, 16777619);
  }
  return NAME_COLOURS[(hash >>> 0) % NAME_COLOURS.length]!;
}
