#!/usr/bin/env -S node --
// Tiny shim: everything lives in dist/main.js. We set exitCode instead of calling process.exit()
// so that piped stdout is flushed before the process ends. The `--` in the shebang stops Node 20
// from taking our `--env-file` flag as its own (nodejs/node#54232: a missing file exited 9).
import { main } from '../dist/main.js';

process.exitCode = await main(process.argv.slice(2), process.env);
