/** The terminal client's version (sent as `hello.client`: `confab-tui/<version>`). */
export const VERSION = '0.1.0';
