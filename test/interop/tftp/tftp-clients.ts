/**
 * The real TFTP clients from LAB.md, run with argv arrays against 127.0.0.1:PORT. A client that
 * is not installed makes `spawn` fail, which fails the test (never a skip).
 */
import { spawn } from 'node:child_process';

export interface ClientRun {
  readonly argv: readonly string[];
  readonly code: number | null;
  readonly output: string;
  readonly ms: number;
}

export interface GetOptions {
  readonly blksize?: number;
  readonly windowsize?: number;
  readonly tsize?: boolean;
  readonly mode?: 'octet' | 'netascii';
  readonly timeoutMs?: number;
  /** atftp only: print every packet. */
  readonly trace?: boolean;
  /** curl only: send no options at all (`--tftp-no-options`). */
  readonly noOptions?: boolean;
}

export function run(argv: readonly string[], timeoutMs = 60_000): Promise<ClientRun> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${argv[0]}: ${error.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ argv, code, output, ms: Date.now() - started });
    });
  });
}

/** tftp-hpa: 512-byte blocks, no options; `-m netascii` for text mode. */
export function hpaGet(port: number, remote: string, local: string, options: GetOptions = {}): Promise<ClientRun> {
  const mode = options.mode === 'netascii' ? 'netascii' : 'binary';
  return run(['tftp', '-m', mode, '127.0.0.1', String(port), '-c', 'get', remote, local], options.timeoutMs);
}

export function hpaPut(port: number, local: string, remote: string): Promise<ClientRun> {
  return run(['tftp', '-m', 'binary', '127.0.0.1', String(port), '-c', 'put', local, remote]);
}

/** atftp: RFC 2348/2349/7440 options through `--option "name value"`; prints accepted options. */
export function atftpGet(port: number, remote: string, local: string, options: GetOptions = {}): Promise<ClientRun> {
  const argv = ['atftp', options.trace === true ? '--trace' : '--verbose'];
  if (options.blksize !== undefined) argv.push('--option', `blksize ${options.blksize}`);
  if (options.windowsize !== undefined) argv.push('--option', `windowsize ${options.windowsize}`);
  if (options.tsize === true) argv.push('--option', 'tsize 0');
  if (options.mode === 'netascii') argv.push('--option', 'mode netascii');
  argv.push('-g', '-r', remote, '-l', local, '127.0.0.1', String(port));
  return run(argv, options.timeoutMs);
}

/** curl: `--tftp-blksize`; always asks for tsize. */
export function curlGet(port: number, remote: string, local: string, options: GetOptions = {}): Promise<ClientRun> {
  const argv = ['curl', '-sS', '--max-time', '50'];
  if (options.blksize !== undefined) argv.push('--tftp-blksize', String(options.blksize));
  if (options.noOptions === true) argv.push('--tftp-no-options');
  argv.push('-o', local, `tftp://127.0.0.1:${port}/${remote}`);
  return run(argv, options.timeoutMs);
}

/** busybox tftp: `-b SIZE`. */
export function busyboxGet(port: number, remote: string, local: string, options: GetOptions = {}): Promise<ClientRun> {
  const argv = ['busybox', 'tftp'];
  if (options.blksize !== undefined) argv.push('-b', String(options.blksize));
  argv.push('-g', '-r', remote, '-l', local, '127.0.0.1', String(port));
  return run(argv, options.timeoutMs);
}
