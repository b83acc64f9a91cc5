// Proof that each worker's job channel is an anonymous socketpair: fd 3 is a socket, its peer is held by the supervisor, and it has no path.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, expect, it } from 'vitest';
import { closeAll, fixture, supervisor } from '../helpers.js';

afterEach(closeAll);

interface UnixSocket {
  inode: number;
  peer: number;
  local: string;
  pid: number | undefined;
  fd: number | undefined;
}

/** Every connected AF_UNIX stream socket, from `ss -xpn`: its inode, its peer's inode, its address, and who holds it. */
function unixStreamSockets(): UnixSocket[] {
  const out = execFileSync('ss', ['-xpnH'], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  const sockets: UnixSocket[] = [];
  for (const line of out.split('\n')) {
    const m = /^u_str\s+\S+\s+\d+\s+\d+\s+(\S+)\s+(\d+)\s+\S+\s+(\d+)\s*(.*)$/.exec(line.trim());
    if (!m) continue;
    for (const holder of m[4].matchAll(/pid=(\d+),fd=(\d+)/g)) {
      sockets.push({ local: m[1], inode: Number(m[2]), peer: Number(m[3]), pid: Number(holder[1]), fd: Number(holder[2]) });
    }
    if (!m[4]) sockets.push({ local: m[1], inode: Number(m[2]), peer: Number(m[3]), pid: undefined, fd: undefined });
  }
  return sockets;
}

it('gives each worker fd 3 as one end of an anonymous AF_UNIX stream socketpair whose other end is the supervisor', async () => {
  const sup = supervisor({ worker: fixture('handlers.ts'), workers: 2 });
  await sup.ready();
  const seen = new Set<number>();
  for (let i = 0; i < 2; i++) {
    const info = await sup.run<{ pid: number; isSocket: boolean; link: string }>(null, { name: 'channel' });
    // inside the worker: fd 3 is a socket
    expect(info.isSocket).toBe(true);
    const match = /^socket:\[(\d+)\]$/.exec(info.link);
    expect(match, info.link).not.toBeNull();
    const childInode = Number(match![1]);
    seen.add(info.pid);

    const sockets = unixStreamSockets();
    const childEnd = sockets.find((s) => s.inode === childInode && s.pid === info.pid);
    expect(childEnd, `worker ${info.pid} holds socket ${childInode} as fd 3`).toMatchObject({ fd: 3 });
    // its peer is held by this process (the supervisor) and by no one else
    const parentEnds = sockets.filter((s) => s.inode === childEnd!.peer);
    expect(parentEnds.map((s) => s.pid)).toEqual([process.pid]);
    expect(parentEnds[0].peer).toBe(childInode);
    // anonymous: neither end has an address, and the kernel lists no path for either inode
    expect(childEnd!.local).toBe('*');
    expect(parentEnds[0].local).toBe('*');
    const table = readFileSync('/proc/net/unix', 'utf8').split('\n');
    for (const inode of [childInode, childEnd!.peer]) {
      const row = table.find((line) => line.trim().split(/\s+/)[6] === String(inode));
      expect(row, `inode ${inode} in /proc/net/unix`).toBeDefined();
      // columns: Num RefCount Protocol Flags Type St Inode [Path]; SOCK_STREAM is type 0001
      const columns = row!.trim().split(/\s+/);
      expect(columns[4]).toBe('0001');
      expect(columns).toHaveLength(7);
    }
  }
});
