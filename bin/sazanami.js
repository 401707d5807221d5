#!/usr/bin/env node
// Launcher for the sazanami CLI: runs the compiled entry in dist/ (built by `npm run build`).

let cli;
try {
  cli = await import('../dist/src/cli/main.js');
} catch (error) {
  const notBuilt = error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/src/cli/main.js');
  process.stderr.write(notBuilt
    ? 'sazanami: error: the CLI is not built (dist/src/cli/main.js is missing); run `npm run build` first\n'
    : `sazanami: error: internal error: cannot load the CLI: ${error?.message ?? error}\n`);
  process.exit(1);
}
process.exitCode = await cli.main(process.argv.slice(2));
