/** The Confab graphical client. Placeholder: the client lands with its own issue. */
export const CLIENT_NAME = 'confab-gui';
