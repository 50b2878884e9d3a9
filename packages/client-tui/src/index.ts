/** The Confab terminal client. Placeholder: the client lands with its own issue. */
export const CLIENT_NAME = 'confab';
