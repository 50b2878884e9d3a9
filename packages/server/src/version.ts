import manifest from '../package.json' with { type: 'json' };

/** The server's version, as sent in `welcome.server` (`confab/<version>`): the package's own. */
export const SERVER_VERSION: string = manifest.version;
