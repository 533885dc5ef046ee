/**
 * The DRBD handler entry (`node main.js fence|unfence`): DRBD runs it with the resource and the
 * peer in its environment and reads its exit code. The only place in the handler that reads argv
 * and the environment; logs go to stderr, which DRBD copies to the kernel log.
 */
import { runCommand } from '../../striker/core/command/run-command.js';
import { runFencePeer, targetFromEnv } from './handler.js';

const mode = process.argv[2];
if (mode !== 'fence' && mode !== 'unfence') {
  process.stderr.write('usage: drbd-fence-peer fence|unfence (run by DRBD as its fence-peer / unfence-peer handler)\n');
  process.exit(1);
}
try {
  const target = targetFromEnv(process.env);
  process.exitCode = await runFencePeer(mode, target, {
    run: runCommand,
    log: (line) => process.stderr.write(`striker ${line}\n`),
    fenceTimeoutSeconds: 300,
  });
} catch (error) {
  process.stderr.write(`striker ${mode}-peer: ${(error as Error).message}\n`);
  process.exitCode = 1;
}
