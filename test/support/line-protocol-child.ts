/**
 * A test server run as a child process that speaks a line protocol: it prints `ready`, and answers
 * each command written to its stdin with one line on stdout (netns-dhcp-server.ts,
 * netns-pxe-server.ts).
 */
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export class LineProtocolChild {
  private waiting: ((line: string) => void)[] = [];
  readonly stderr: string[] = [];

  constructor(readonly proc: ChildProcess, private readonly what: string, private readonly timeoutMs: number) {
    createInterface({ input: proc.stdout! }).on('line', (line) => this.waiting.shift()?.(line));
    proc.stderr!.on('data', (d: Buffer) => this.stderr.push(d.toString()));
  }

  nextLine(timeoutMs = this.timeoutMs): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no output from the ${this.what}; stderr: ${this.stderr.join('').slice(-3000)}`)), timeoutMs);
      this.waiting.push((line) => {
        clearTimeout(timer);
        resolve(line);
      });
    });
  }

  /** Writes one command line and resolves with the answer line. */
  protected async command(line: string): Promise<string> {
    const answer = this.nextLine();
    this.proc.stdin!.write(`${line}\n`);
    return answer;
  }

  /** Sends `signal` and waits for the exit (at most `graceMs`, then SIGKILL). */
  protected async end(signal: NodeJS.Signals, graceMs = Infinity): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    const done = new Promise((r) => this.proc.once('exit', r));
    this.proc.kill(signal);
    if (graceMs === Infinity) {
      await done;
      return;
    }
    await Promise.race([done, new Promise((r) => setTimeout(r, graceMs))]);
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGKILL');
  }
}
