// How a command definition refers to its action without loading it: the action module is imported
// only when that command runs, so `wa-send status` never loads undici or the sandbox.
import type { Command } from 'commander';
import type { Context } from '../context.js';

/** A command's action: the context and commander's arguments in, the exit code out. */
// biome-ignore lint/suspicious/noExplicitAny: commander hands actions its parsed arguments untyped
export type Action = (ctx: Context, ...args: any[]) => Promise<number>;
export type Bind = (load: () => Promise<Action>) => (...args: unknown[]) => Promise<void>;
export type Register = (program: Command, bind: Bind) => void;
