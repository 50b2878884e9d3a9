import manifest from '../package.json' with { type: 'json' };

/** The terminal client's version (sent as `hello.client`: `confab-tui/<version>`): the package's own. */
export const VERSION: string = manifest.version;
