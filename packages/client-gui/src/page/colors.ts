import { foldName } from '@confab/protocol';

/** A hue for a name (0..359): the same name, the same colour, whatever its case. */
export function nameHue(name: string): number {
  let hash = 2166136261;
  for (const char of foldName(name)) {
    hash ^= char.codePointAt(0)!;
    hash = Math.imul(hash, 16777619);
  }
  return (hash >>> 0) % 360;
}
