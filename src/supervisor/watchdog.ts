/*
 * Workers never outlive their supervisor, however it dies. A worker notices a
 * closed channel and exits, but only if its event loop turns: one stuck in a
 * CPU-bound job would run on, orphaned, and so would anything its handlers
 * started. Node has no PR_SET_PDEATHSIG, so one tiny `sh` per host process
 * stands guard: it is told each worker's process group as it is spawned and
 * released, and when its stdin reaches end of file (the kernel closes the
 * write end when the host dies, even by SIGKILL) it SIGKILLs every group it
 * still guards. It costs one shell, not a thread per worker.
 */
import { spawn, type ChildProcess } from 'node:child_process';

// Keeps a space-separated set of process group ids, starting with its arguments; `+N` adds, `-N` removes, end of
// input kills them all.
const SCRIPT = `g=" $* "
while IFS= read -r l; do
  case $l in
    +*) g="$g\${l#+} " ;;
    -*) case $g in *" \${l#-} "*) g="\${g%% \${l#-} *} \${g#* \${l#-} }" ;; esac ;;
  esac
done
for p in $g; do kill -KILL "-$p" 2>/dev/null; done
`;

let guard: ChildProcess | undefined;
const guarded = new Set<number>();

/** Starts the guard shell (again, if it was killed), with every group still guarded as its arguments. */
function ensureGuard(): ChildProcess | undefined {
  if (guard && guard.exitCode === null && guard.signalCode === null && guard.stdin?.writable) return guard;
  try {
    // its own session: a Ctrl-C or a signal to the host's process group does not reach it
    // the groups already guarded go in as arguments, not down the pipe: a host killed between this spawn and a
    // write would leave a new guard that never heard of them
    const child = spawn('/bin/sh', ['-c', SCRIPT, 'supervise-watchdog', ...[...guarded].map(String)], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
    child.on('error', () => {
      if (guard === child) guard = undefined;
    });
    child.once('exit', () => {
      if (guard !== child) return;
      guard = undefined;
      // killed by someone: stand guard again over the workers still running
      if (guarded.size > 0) setImmediate(ensureGuard);
    });
    child.stdin!.on('error', () => {});
    child.unref();
    (child.stdin as unknown as { unref?: () => void }).unref?.();
    guard = child;
    return child;
  } catch {
    // no shell or no descriptors left: workers still exit when their channel closes
    return undefined;
  }
}

/** Puts a worker's process group under guard. */
export function guardGroup(pid: number): void {
  // a guard started now gets the groups already guarded as its arguments, then this one down its stdin
  const child = ensureGuard();
  guarded.add(pid);
  child?.stdin!.write(`+${pid}\n`);
}

/** Releases a group whose worker has ended and been reaped. */
export function releaseGroup(pid: number): void {
  if (!guarded.delete(pid)) return;
  if (guard && guard.stdin?.writable) guard.stdin.write(`-${pid}\n`);
}

/** The guard's pid, for tests. */
export function guardPid(): number | undefined {
  return guard?.pid;
}
