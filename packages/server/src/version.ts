/** The server's version, as sent in `welcome.server` (`confab/<version>`). */
export const SERVER_VERSION = '0.1.0';
