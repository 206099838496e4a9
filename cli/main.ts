#!/usr/bin/env node
// The `zabkit` command line: wires the subcommands to the real process (stdio, signals, exit)
// and maps commander's usage errors to exit code 2. Subcommands live in cli/*-command.ts.
// Counterpart: bin/zkServer.sh and bin/zkCli.sh.

import { Command, CommanderError } from 'commander';
import { loadZooCfg, readMyid } from '../server/config/load-config.js';
import { startQuorumPeer, startServer, type QuorumPeerOptions } from '../server/index.js';
import { EXIT_USAGE, registerServerCommand } from './server-command.js';
import { registerBenchCommand } from './bench-command.js';
import { registerEnsembleCommand } from './ensemble-command.js';
import { packageVersion } from './version.js';

const program = new Command('zabkit')
  .description('ZooKeeper-compatible coordination server and tools')
  .version(packageVersion())
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride(); // inherited by the subcommands registered below

registerServerCommand(program, {
  // server.N lines make the options an ensemble member's (validated to have quorum, myid and dataDir).
  // An ensemble member also reports its role changes, syncs and refusals on stderr.
  startServer: (options) => (options.quorum
    ? startQuorumPeer(options as QuorumPeerOptions, (line) => {
      if (!line.startsWith('closing connection')) process.stderr.write(`${line}\n`);
    })
    : startServer(options)),
  loadConfig: loadZooCfg,
  readMyid,
  stdout: (line) => void process.stdout.write(`${line}\n`),
  stderr: (line) => void process.stderr.write(`${line}\n`),
  onSignal: (signal, handler) => void process.on(signal, handler),
  exit: (code) => process.exit(code),
  now: () => performance.now(),
});
registerBenchCommand(program, {
  runBench: async (options, progress) => (await import('../bench/run.js')).runBench(options, { progress }),
  stdout: (text) => void process.stdout.write(text),
  stderr: process.stderr,
  writeFile: (path, text) => import('node:fs/promises').then((fs) => fs.writeFile(path, text)),
  exit: (code) => process.exit(code),
});
registerEnsembleCommand(program);
// Later: shell registers here the same way.

try {
  await program.parseAsync(process.argv);
} catch (err) {
  // Commander has already printed the message (or the help / version).
  if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : EXIT_USAGE);
  throw err;
}
