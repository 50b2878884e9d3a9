#!/usr/bin/env node
// Placeholder entry: the server is not built yet.
console.error('confab-server: the Confab server is not available in this version yet.');
process.exitCode = 1;
