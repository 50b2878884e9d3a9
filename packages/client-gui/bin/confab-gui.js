#!/usr/bin/env node
// The installed command. It checks the Node version before anything else
// loads, so an old Node gets this sentence instead of an error from deep
// inside (Confab uses what Node 22.13 brought, node:sqlite among it). It is
// committed, not built, so a package manager can link it before a build.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 13)) {
  process.stderr.write(
    `confab-gui: Confab needs Node.js 22.13 or later (24 LTS recommended); this is Node ${process.versions.node}.\n` +
      'Get Node 24 from the npm registry: npm install --prefix ~/.local/node24 node@24\n' +
      'then put ~/.local/node24/node_modules/node/bin first on PATH.\n',
  );
  process.exit(1);
}
await import('../dist/cli.js');
