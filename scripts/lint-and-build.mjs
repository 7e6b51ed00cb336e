// npm test's first step: the lint (Biome, then tsc over src and tests) and the build to dist/ run
// side by side (two cores: ~10 s instead of ~14), and either one failing fails the step with its
// own output.
import { spawn } from 'node:child_process';

const run = (script) =>
  new Promise((resolve) => {
    const child = spawn('npm', ['run', '--silent', script], { stdio: 'inherit' });
    child.on('close', (code) => resolve({ script, code }));
  });

const results = await Promise.all([run('lint'), run('build')]);
const failed = results.filter((r) => r.code !== 0);
for (const f of failed) console.error(`npm run ${f.script} failed (exit ${f.code})`);
process.exit(failed.length > 0 ? 1 : 0);
