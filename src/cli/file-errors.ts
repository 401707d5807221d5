// Turns Node file-system errors into one-line UsageErrors that say which file and what went wrong.

import { UsageError } from './command.js';

const REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a parent path is not a directory',
  ENOSPC: 'no space left on device',
  EROFS: 'read-only file system',
  EEXIST: 'file already exists',
  ENAMETOOLONG: 'file name too long',
  EMFILE: 'too many open files',
};

/** A UsageError for a known file-system error code; anything else is returned unchanged (an internal error). */
export function toFileUsageError(error: unknown, action: string, path: string): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === undefined || !(code in REASONS)) return error;
  return new UsageError(`cannot ${action} '${path}': ${REASONS[code]}`);
}
