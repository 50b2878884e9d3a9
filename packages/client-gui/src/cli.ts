#!/usr/bin/env node
// Placeholder entry: the graphical client is not built yet.
console.error('confab-gui: the Confab graphical client is not available in this version yet.');
process.exitCode = 1;
