// The command list. Each module registers one command (one file per command).
import type { Command } from 'commander';
import type { Wrap } from '../main.js';
import { registerBroadcast } from './broadcast.js';
import { registerStatus } from './status.js';

export const COMMANDS: ReadonlyArray<(program: Command, wrap: Wrap) => void> = [
  registerBroadcast,
  registerStatus,
];
