import { foldName } from '@confab/protocol';

/**
 * The hues names are drawn in (OKLCH degrees): ten, 30 degrees apart at
 * least, so two names in different colours are told apart at a glance; a
 * hue picked freely from 360 gave neighbours that looked the same.
 */
export const NAME_HUES = [25, 60, 95, 140, 175, 210, 245, 285, 320, 350] as const;

/** The hue of a name: the same name, the same colour, whatever its case. */
export function nameHue(name: string): number {
  let hash = 2166136261;
  for (const char of foldName(name)) {
    hash ^= char.codePointAt(0)!;
    hash = Math.imul(hash, 16777619);
  }
  return NAME_HUES[(hash >>> 0) % NAME_HUES.length]!;
}
