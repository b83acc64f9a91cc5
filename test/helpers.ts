// Shared test helpers: fixture paths, process liveness checks, and a quiet supervisor factory.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createSupervisor, type Supervisor, type SupervisorOptions } from 'supervise';

export const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
export const root = fileURLToPath(new URL('..', import.meta.url));
export const cli = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

/** True while a process with this pid runs; a zombie (exited, not yet reaped) counts as gone. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** True when no process with this pid exists at all: exited and reaped (not a zombie). */
export function reaped(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}

/**
 * Live (not zombie) processes whose parent is `ppid`, read from /proc; `keep` looks at each one's command name
 * and command line.
 */
export function liveChildren(ppid: number, keep: (proc: { comm: string; cmdline: string }) => boolean): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const fields = stat.slice(close + 2).split(' ');
      if (Number(fields[1]) !== ppid || fields[0] === 'Z') continue;
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      if (keep({ comm, cmdline: readFileSync(`/proc/${entry}/cmdline`, 'utf8') })) pids.push(Number(entry));
    } catch {
      // it exited while we looked
    }
  }
  return pids;
}

/** The live pool workers whose parent is `ppid` (its other children, such as the watchdog shell, are left out). */
export const workerChildren = (ppid: number): number[] => liveChildren(ppid, ({ cmdline }) => cmdline.includes('worker/main.js'));

export async function waitFor(check: () => boolean | Promise<boolean>, timeout = 5000, step = 20): Promise<boolean> {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, step));
  }
  return check();
}

const open: Supervisor[] = [];

/** A supervisor with silent logs, closed by `closeAll()` after each test; `supervisor<typeof import(…)>()` for a typed one. */
export function supervisor<Module = any>(options: Partial<SupervisorOptions> & Pick<SupervisorOptions, 'worker'>): Supervisor<Module> {
  const sup = createSupervisor<Module>({ logLevel: 'silent', workers: 2, ...options });
  open.push(sup);
  return sup;
}

export async function closeAll(): Promise<void> {
  await Promise.all(open.splice(0).map((sup) => sup.destroy()));
}
