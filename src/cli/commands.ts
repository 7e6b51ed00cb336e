// The command list. Each module registers one command (one file per command).
import type { Command } from 'commander';
import type { Wrap } from '../main.js';
import { registerBroadcast } from './broadcast.js';
import { registerCancel } from './cancel.js';
import { registerMetrics } from './metrics.js';
import { registerOptout } from './optout.js';
import { registerResume } from './resume.js';
import { registerRetryFailed } from './retry-failed.js';
import { registerSandbox } from './sandbox.js';
import { registerStatus } from './status.js';
import { registerWebhook } from './webhook.js';

export const COMMANDS: ReadonlyArray<(program: Command, wrap: Wrap) => void> = [
  registerBroadcast,
  registerStatus,
  registerResume,
  registerRetryFailed,
  registerCancel,
  registerOptout,
  registerWebhook,
  registerSandbox,
  registerMetrics,
];
