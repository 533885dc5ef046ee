/**
 * Runs the built `striker` binary (dist/) as a real process, for end-to-end tests.
 * `npm test` builds first; running vitest alone needs `npm run build`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../striker/core/net/free-port.js';

export const STRIKER_MAIN = fileURLToPath(new URL('../../dist/striker/app/main.js', import.meta.url));

export function requireBuilt(): void {
  if (!existsSync(STRIKER_MAIN)) throw new Error(`${STRIKER_MAIN} is missing: run npm run build (npm test does)`);
}

export { freePort };

export interface CommandOutcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `striker <args>` to completion. */
export function runStriker(args: string[], env: Record<string, string>, input?: string, timeoutMs = 180_000): Promise<CommandOutcome> {
  requireBuilt();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [STRIKER_MAIN, ...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`striker ${args.join(' ')} timed out; stderr: ${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input ?? '');
  });
}

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  stderr(): string;
  /** SIGTERM and wait for exit; returns the exit code. */
  stop(timeoutMs?: number): Promise<number | null>;
}

/**
 * `striker serve` on 127.0.0.1 at a free port, logging warnings only, with `env` on top. A port
 * found free can be taken by another process before serve listens on it (tests run in parallel):
 * serve then exits with EADDRINUSE, and it is started again on another free port.
 */
export async function startServeOnLoopback(env: Record<string, string>): Promise<ServeProcess> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startServe({ STRIKER_HTTP__HOST: '127.0.0.1', STRIKER_HTTP__PORT: String(await freePort()), STRIKER_LOG__LEVEL: 'warn', ...env });
    } catch (error) {
      const portTaken = error instanceof Error && /exited with \d+ before it was ready[\s\S]*EADDRINUSE/.test(error.message);
      if (!portTaken || attempt === 3 || env.STRIKER_HTTP__PORT !== undefined) throw error;
    }
  }
}

/** Starts `striker serve` and waits until it prints its URL; rejects if it exits first or takes longer than `timeoutMs`. */
export async function startServe(env: Record<string, string>, timeoutMs = 90_000): Promise<ServeProcess> {
  const spawned = spawnServe(env);
  const { child, exited } = spawned;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`striker serve did not start; stderr: ${spawned.stderr().slice(-3000)}`));
    }, timeoutMs);
  });
  const exitedEarly = exited.then(({ code }) => {
    throw new Error(`striker serve exited with ${code} before it was ready; stderr: ${spawned.stderr().slice(-3000)}`);
  });
  try {
    const url = await Promise.race([spawned.ready, exitedEarly, timedOut]);
    return {
      child,
      url,
      stderr: spawned.stderr,
      stop: async (stopTimeout = 30_000) => {
        if (child.exitCode !== null) return child.exitCode;
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), stopTimeout);
        const { code } = await exited;
        clearTimeout(t);
        return code;
      },
    };
  } finally {
    clearTimeout(timer);
    exitedEarly.catch(() => undefined); // a later exit after a successful start is not an error here
  }
}

export interface SpawnedServe {
  child: ChildProcess;
  stderr(): string;
  /** Resolves with the URL once it prints it; never rejects (watch `exited` too). */
  ready: Promise<string>;
  /** Resolves with the exit code (null when killed by a signal) and the signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Spawns `striker serve` and returns at once, for tests that act during its start-up. */
export function spawnServe(env: Record<string, string>): SpawnedServe {
  requireBuilt();
  const child = spawn(process.execPath, [STRIKER_MAIN, 'serve'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const ready = new Promise<string>((resolve) => {
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      const m = /running at (\S+)/.exec(stdout);
      if (m) resolve(m[1]!.replace(/\/$/, ''));
    });
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
  return { child, stderr: () => stderr, ready, exited };
}

export interface AdminServe {
  striker: ServeProcess;
  /** The admin's session cookie, CSRF token and JSON content type, for API calls with fetch. */
  headers: Record<string, string>;
}

/** `striker serve` on loopback (see startServeOnLoopback) with an admin added through the CLI and logged in over HTTP. */
export async function startServeAsAdmin(env: Record<string, string>, password: string): Promise<AdminServe> {
  const striker = await startServeOnLoopback(env);
  try {
    const add = await runStriker(['user', 'add', 'admin', '--role', 'admin'], env, `${password}\n`);
    if (add.code !== 0) throw new Error(`striker user add failed (${add.code}): ${add.stderr}`);
    const login = await fetch(`${striker.url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
    if (login.status !== 200) throw new Error(`logging in as the new admin answered ${login.status}: ${await login.text()}`);
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    return { striker, headers: { cookie: login.headers.getSetCookie()[0]!.split(';')[0]!, 'x-csrf-token': csrfToken, 'content-type': 'application/json' } };
  } catch (error) {
    await striker.stop();
    throw error;
  }
}
