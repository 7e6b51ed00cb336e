// The command list. Each module defines one command's arguments and flags; its action is in
// src/cli/actions and loads only when the command runs.

import { registerSandbox } from '../sandbox.js';
import type { Register } from './action.js';
import { registerBroadcast } from './broadcast.js';
import { registerCancel } from './cancel.js';
import { registerCheck } from './check.js';
import { registerDoctor } from './doctor.js';
import { registerJournal } from './journal.js';
import { registerMetrics } from './metrics.js';
import { registerOptin, registerOptout } from './phone-list.js';
import { registerProfiles } from './profiles.js';
import { registerReport } from './report.js';
import { registerResume } from './resume.js';
import { registerRetryFailed } from './retry-failed.js';
import { registerStatus } from './status.js';
import { registerWebhook } from './webhook.js';

export const COMMANDS: readonly Register[] = [
  registerBroadcast,
  registerStatus,
  registerResume,
  registerRetryFailed,
  registerCancel,
  registerOptout,
  registerOptin,
  registerWebhook,
  registerSandbox,
  registerMetrics,
  registerDoctor,
  registerProfiles,
  registerCheck,
  registerReport,
  registerJournal,
];
