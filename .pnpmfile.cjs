// pnpm loads this before it checks `engines`, so an old Node hears what to
// do (the README's line) and not only pnpm's generic engine error.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 13)) {
  process.stderr.write(
    `Confab needs Node.js 22.13 or later (24 LTS recommended); this is Node ${process.versions.node}.\n` +
      'Get Node 24 from the npm registry: npm install --prefix ~/.local/node24 node@24\n' +
      'then put ~/.local/node24/node_modules/node/bin first on PATH, and run pnpm install again.\n',
  );
}

module.exports = {};
