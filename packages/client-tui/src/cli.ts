#!/usr/bin/env node
// Placeholder entry: the terminal client is not built yet.
console.error('confab: the Confab terminal client is not available in this version yet.');
process.exitCode = 1;
