// Writing a file so that nobody ever sees half of it: the bytes go to a temporary file beside it,
// synced, then renamed over the target (atomic within one filesystem). On any failure the old file,
// if there was one, is untouched and no temporary file is left behind.
import { randomBytes } from 'node:crypto';
import { accessSync, closeSync, constants, fsyncSync, openSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export function writeFileAtomic(path: string, data: string, mode = 0o644): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let fd: number | null = null;
  try {
    fd = openSync(tmp, 'wx', mode);
    writeFileSync(fd, data);
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(tmp, path);
  } catch (err) {
    if (fd !== null) closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
}

/**
 * Why `path` cannot be written, or null when it looks writable: checked before a long piece of work,
 * so a typo in -o fails at once instead of after the work is done. (The write itself still reports
 * anything this cannot foresee, such as a full disk.)
 */
export function unwritableReason(path: string): string | null {
  try {
    if (statSync(path, { throwIfNoEntry: false })?.isDirectory()) return 'it is a directory';
    const dir = dirname(path);
    if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) return `no directory ${dir}`;
    accessSync(dir, constants.W_OK);
    return null;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  }
}
