import manifest from '../package.json' with { type: 'json' };

/** The graphical client's version: the package's own (built into the page too). */
export const VERSION: string = manifest.version;
