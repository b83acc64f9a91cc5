/*
 * Where a socket opened with `onread` reads into (the worker's channel). By
 * default every read gets a fresh 64 KiB allocation that is then shrunk,
 * wrapped and pushed through a Readable stream; here reads land back to back
 * in one slab, and the bytes of each read go straight to the frame decoder.
 *
 *   slab: [ read 1 | read 2 | read 3 |   free: the next read lands here   ]
 *
 * A region once read is never written again, so the views the decoder keeps
 * (a frame split over reads) or hands out (a byte payload) stay valid. When
 * the free part gets small, a new slab is started; the old one lives on only
 * as long as views into it do.
 */
const SLAB_SIZE = 64 * 1024;
/** Below this much free space, a read would be cut short: start a new slab instead. */
const MIN_READ = 16 * 1024;

export class ReadArea {
  private slab = Buffer.allocUnsafeSlow(SLAB_SIZE);
  private filled = 0;

  /** The buffer for the next read: the slab's free part. */
  readonly next = (): Buffer => this.slab.subarray(this.filled);

  /** Marks the next `n` bytes as read and returns them; call once per read, before `next()`. */
  take(n: number): Buffer {
    const view = this.slab.subarray(this.filled, this.filled + n);
    this.filled += n;
    if (this.slab.length - this.filled < MIN_READ) {
      this.slab = Buffer.allocUnsafeSlow(SLAB_SIZE);
      this.filled = 0;
    }
    return view;
  }
}
