// Temp directories with config and token files for the config tests; removed after each file.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const TOKEN = 'EAAG-profile-token-0123456789';

export interface TempDir {
  path: string;
  file(name: string, text: string, mode?: number): string;
  remove(): void;
}

export function tempDir(): TempDir {
  const path = mkdtempSync(join(tmpdir(), 'wa-config-'));
  return {
    path,
    file(name, text, mode = 0o600) {
      const p = join(path, name);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, text);
      chmodSync(p, mode); // explicit: the umask must not decide what a test checks
      return p;
    },
    remove: () => rmSync(path, { recursive: true, force: true }),
  };
}
