/**
 * The environment of a user's shell: without the `npm_*` and `pnpm_*`
 * variables a package-manager script runs with, which npm and pnpm would
 * otherwise read as their own configuration.
 */
export function userShell(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(npm|pnpm)_/i.test(key)),
  );
}
