// npm test. First, side by side: Biome (format and lint rules) and the TypeScript build of src to
// dist/ (incremental; the real binary the e2e tests run). Then, side by side: the tests, and the
// type-check of the test files against src's declarations. The type-check needs one core for a few
// seconds after a fresh install (`npm ci` built dist/ but checked no test file) and finds idle time
// next to the tests, which mostly wait on stand-ins, child processes and timers; on an unchanged tree
// it takes about a second. Any step failing fails the command, each with its own output.
import { spawn } from 'node:child_process';

const bin = (name) => new URL(`../node_modules/.bin/${name}`, import.meta.url).pathname;
const run = (name, args) =>
  new Promise((resolve) => {
    const child = spawn(bin(name), args, { stdio: 'inherit' });
    child.on('close', (code) => resolve({ name: `${name} ${args.join(' ')}`, code }));
  });

async function step(...commands) {
  const failed = (await Promise.all(commands)).filter((r) => r.code !== 0);
  for (const f of failed) console.error(`${f.name} failed (exit ${f.code})`);
  if (failed.length > 0) process.exit(1);
}

await step(run('biome', ['check', '.']), run('tsc', ['-b', 'tsconfig.build.json']));
await step(run('vitest', ['run']), run('tsc', ['-p', 'tsconfig.test.json']));
