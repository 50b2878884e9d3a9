/** The Confab server. Placeholder: the server lands with its own issue. */
export const SERVER_NAME = 'confab-server';
