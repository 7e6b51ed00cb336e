// npm test's first step, two processes side by side: Biome (format and lint rules), and one
// TypeScript build of the project references (tsconfig.test.json → tsconfig.build.json), which
// type-checks src and emits it to dist/ (the real binary the e2e tests run), then type-checks the
// tests against src's declarations. Incremental: after `npm ci` (whose `prepare` built dist/) only
// the tests are checked, and an unchanged tree is checked in about a second. Either one failing
// fails the step with its own output.
import { spawn } from 'node:child_process';

const run = (name, cmd, args) =>
  new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: 'inherit' });
    child.on('close', (code) => resolve({ name, code }));
  });

const bin = (name) => new URL(`../node_modules/.bin/${name}`, import.meta.url).pathname;
const results = await Promise.all([
  run('biome check .', bin('biome'), ['check', '.']),
  run('tsc -b tsconfig.test.json', bin('tsc'), ['-b', 'tsconfig.test.json']),
]);
const failed = results.filter((r) => r.code !== 0);
for (const f of failed) console.error(`${f.name} failed (exit ${f.code})`);
process.exit(failed.length > 0 ? 1 : 0);
