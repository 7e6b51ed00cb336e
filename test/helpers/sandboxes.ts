// Sandboxes in their own processes for one test file, stopped after each test.
import { afterEach } from 'vitest';
import { type SandboxProcess, startSandboxProcess } from './cli.js';

export function useSandboxes(): (args?: string[]) => Promise<SandboxProcess> {
  const running: SandboxProcess[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((s) => s.stop()));
  });
  return async (args = []) => {
    const s = await startSandboxProcess(args);
    running.push(s);
    return s;
  };
}
