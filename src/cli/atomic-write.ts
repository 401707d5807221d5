// Output files appear whole or not at all: each is written to a temporary file beside it, then renamed.

import { randomBytes } from 'node:crypto';
import { rename, rm, stat, writeFile, access, constants } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { UsageError } from './command.js';
import { toFileUsageError } from './file-errors.js';

export interface PendingFile {
  path: string;
  bytes: Uint8Array | string;
}

/**
 * Checks that `path` can be created, so a bad output path fails before minutes of processing.
 * Throws a UsageError naming the problem.
 */
export async function assertWritable(path: string, what: string): Promise<void> {
  const directory = dirname(path);
  const directoryStats = await stat(directory).catch(() => undefined);
  if (directoryStats === undefined) throw new UsageError(`cannot write ${what} '${path}': directory '${directory}' does not exist`);
  if (!directoryStats.isDirectory()) throw new UsageError(`cannot write ${what} '${path}': '${directory}' is not a directory`);
  const existing = await stat(path).catch(() => undefined);
  if (existing?.isDirectory() === true) throw new UsageError(`cannot write ${what} '${path}': it is a directory`);
  try {
    await access(directory, constants.W_OK);
  } catch {
    throw new UsageError(`cannot write ${what} '${path}': directory '${directory}' is not writable`);
  }
}

/**
 * Writes every file to a temporary sibling, then renames them into place. On any failure all
 * temporaries, and any file already renamed by this call, are removed; file-system errors are
 * rethrown as a UsageError naming the file.
 */
export async function writeFilesAtomically(files: readonly PendingFile[]): Promise<void> {
  const temporaries: string[] = [];
  const committed: string[] = [];
  let currentPath = '';
  try {
    for (const file of files) {
      currentPath = file.path;
      const temporary = join(dirname(file.path), `.${basename(file.path)}.${randomBytes(6).toString('hex')}.tmp`);
      temporaries.push(temporary);
      await writeFile(temporary, file.bytes, { flag: 'wx' });
    }
    for (let i = 0; i < files.length; i++) {
      currentPath = files[i].path;
      await rename(temporaries[i], files[i].path);
      committed.push(files[i].path);
    }
  } catch (error) {
    await Promise.all([...temporaries, ...committed].map((path) => rm(path, { force: true })));
    throw toFileUsageError(error, 'write', currentPath);
  }
}
