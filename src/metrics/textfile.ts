// A file for node_exporter's textfile collector, which may read it at any moment: the file is
// replaced whole, never truncated and rewritten. The text goes to a temp file in the same directory
// (a rename is atomic only within one file system), is synced, then renamed over the target. The
// temp name does not end in .prom, so the collector never reads it.
import { randomBytes } from 'node:crypto';
import {
  accessSync,
  closeSync,
  constants,
  fchmodSync,
  fsyncSync,
  openSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { usageError, WaSendError } from '../core/errors.js';

const HINT = 'give a file in an existing directory you can write, e.g. /var/lib/node_exporter/textfile/wa_send.prom';

/** Throws a usage error when `path` cannot be written (checked before the journal is read). */
export function checkTextfileTarget(path: string): void {
  const target = resolve(path);
  const dir = dirname(target);
  const kind = statSync(dir, { throwIfNoEntry: false });
  if (kind === undefined) throw usageError(`cannot write ${target}: the directory ${dir} does not exist`, HINT);
  if (!kind.isDirectory()) throw usageError(`cannot write ${target}: ${dir} is not a directory`, HINT);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw usageError(`cannot write ${target}: the directory ${dir} is not writable`, HINT);
  }
  if (statSync(target, { throwIfNoEntry: false })?.isDirectory())
    throw usageError(`cannot write ${target}: it is a directory`, HINT);
}

export function writeTextfile(path: string, text: string): void {
  const target = resolve(path);
  const dir = dirname(target);
  const temp = join(dir, `.${basename(target)}.${randomBytes(4).toString('hex')}.tmp`);
  let fd: number;
  try {
    fd = openSync(temp, 'wx', 0o644);
  } catch (err) {
    throw writeError(err, target, dir);
  }
  try {
    try {
      fchmodSync(fd, 0o644); // whatever the umask: node_exporter usually runs as another user
      writeFileSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, target);
  } catch (err) {
    rmSync(temp, { force: true });
    throw writeError(err, target, dir);
  }
  syncDirectory(dir);
}

/** The rename survives a power cut only once the directory is synced; some file systems refuse, which is fine. */
function syncDirectory(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    /* best effort */
  }
}

function writeError(err: unknown, target: string, dir: string): Error {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return usageError(`cannot write ${target}: the directory ${dir} does not exist`, HINT);
  if (code === 'ENOTDIR') return usageError(`cannot write ${target}: ${dir} is not a directory`, HINT);
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS')
    return usageError(`cannot write ${target}: the directory ${dir} is not writable`, HINT);
  if (code === 'EISDIR') return usageError(`cannot write ${target}: it is a directory`, HINT);
  // A full disk or an I/O error: the old file is still there, whole.
  return new WaSendError(
    'internal',
    `cannot write ${target}: ${code ?? (err as Error).message}; the previous file is unchanged`,
    {
      cause: err,
    },
  );
}
