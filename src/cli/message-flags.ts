// Message and recipient flags of `broadcast` (DESIGN §1), turned into a message object.
import type { Command } from 'commander';
import { usageError } from '../core/errors.js';
import { DEFAULT_LANGUAGE, type MessageFlags, messageFromFlags } from '../core/message-spec.js';
import { collect, percent, readFlagFile } from './parse.js';

/** The message flags as commander gives them: --message-file is still a path here. */
export interface MessageCliFlags extends Omit<MessageFlags, 'messageFile'> {
  messageFile?: string;
  phoneColumn?: string;
  defaultCountry?: string;
  maxInvalid: number;
}

/** --default-country, shared by broadcast and optout. */
export const DEFAULT_COUNTRY_OPTION = [
  '--default-country <CC>',
  'country for numbers written without a country code, e.g. US',
] as const;

export function addMessageFlags(command: Command): Command {
  return addMessageOnlyFlags(command)
    .option('--phone-column <name>', 'CSV column with the phone number (default: detected)')
    .option(...DEFAULT_COUNTRY_OPTION)
    .option(
      '--max-invalid <pct>',
      'refuse to plan when more than this % of rows cannot be sent (bad number, missing value…)',
      percent('--max-invalid'),
      20,
    );
}

/** The flags that say what is sent (doctor checks them against the template without a CSV). */
export function addMessageOnlyFlags(command: Command): Command {
  return (
    command
      .option('--template <name>', 'send an approved template')
      // No commander default: messageFromFlags applies it, and refuses --lang where no template is sent.
      .option('--lang <code>', `template language code (default: "${DEFAULT_LANGUAGE}")`)
      .option('--body <value>', 'template body parameter, in order (repeatable; {{column}} placeholders)', collect)
      .option('--header-text <value>', 'template header text parameter')
      .option('--header-image <url|id>', 'template header image (link or media id)')
      .option('--header-video <url|id>', 'template header video (link or media id)')
      .option('--header-document <url|id>', 'template header document (link or media id)')
      .option('--button <index=value>', 'template button parameter: 0=PAYLOAD or 1=url:suffix (repeatable)', collect)
      .option('--text <body>', 'send a free-form text message (only inside the 24 h service window)')
      .option('--message-file <file.json>', 'send this Cloud API message object (any type, without "to")')
  );
}

/** Any of the message flags given (doctor checks a message only when one is). */
export function hasMessageFlags(flags: Partial<MessageCliFlags>): boolean {
  return [flags.template, flags.text, flags.messageFile].some((v) => v !== undefined);
}

export function messageFromCliFlags(flags: MessageCliFlags): Record<string, unknown> {
  let messageFile: unknown;
  if (flags.messageFile !== undefined) {
    // Windows editors save UTF-8 with a BOM, which JSON.parse refuses.
    const text = readFlagFile('--message-file', flags.messageFile).replace(/^\uFEFF/, '');
    try {
      messageFile = JSON.parse(text);
    } catch (err) {
      throw usageError(`--message-file ${flags.messageFile} is not valid JSON: ${(err as Error).message}`);
    }
  }
  const { messageFile: _file, phoneColumn: _p, defaultCountry: _d, maxInvalid: _m, ...rest } = flags;
  return messageFromFlags({ ...rest, ...(messageFile === undefined ? {} : { messageFile }) });
}
