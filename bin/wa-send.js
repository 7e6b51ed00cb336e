#!/usr/bin/env node
// Tiny shim: everything lives in dist/main.js. We set exitCode instead of calling
// process.exit() so that piped stdout is flushed before the process ends.
import { main } from '../dist/main.js';

process.exitCode = await main(process.argv.slice(2), process.env);
