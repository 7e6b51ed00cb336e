import { describe, expect, it } from 'vitest';
import { DEFAULT_OPTOUT_KEYWORDS, foldKeyword, optoutMatcher } from '../../src/webhook/keywords.js';

// People do not type keywords the way a list spells them: "Stop.", "STOP!", a quoted "stop", a stop
// sign emoji. Each of those is an unmistakable request and must be honoured; anything with another
// word in it ("stop it", "don't stop") is a conversation, not an opt-out.
describe('optoutMatcher with the default keywords', () => {
  const isOptout = optoutMatcher(DEFAULT_OPTOUT_KEYWORDS);

  it.each([
    'STOP',
    'stop',
    'Stop',
    ' stop ',
    'Stop.',
    'STOP!',
    'stop!!!',
    '¡Stop!',
    '¿stop?',
    'stop…',
    'stop...',
    'stop,',
    'stop;',
    'stop:',
    '"stop"',
    "'stop'",
    '“Stop”',
    '‘stop’',
    '«Stop»',
    '»stop«',
    '„stop“',
    '`stop`',
    '(stop)',
    '[STOP]',
    '*stop*',
    '-stop-',
    '  stop 🛑',
    '🛑 STOP 🛑',
    'stop ✋',
    'stop ✋🏽',
    'stop ✋️',
    'STOP 👋🏻',
    'stop 🙅‍♀️',
    'stop 🇺🇸',
    '\u200Bstop\u200B',
    'stop\u00A0',
    'ＳＴＯＰ',
    'Unsubscribe.',
    'UNSUBSCRIBE!',
    'stopall',
    'STOPALL.',
    'cancel',
    'End.',
    'quit!',
    'OptOut',
    '"OPTOUT"',
    '\nstop\n',
    '\tSTOP\t',
    'stop\r\n',
  ])('%j opts out', (text) => {
    expect(isOptout(text)).toBe(true);
  });

  it.each([
    'stop it',
    "don't stop",
    'STOPPED',
    'stopping',
    'please stop',
    'stop now',
    'st op',
    'st.op',
    's-t-o-p',
    'unsubscribe me',
    'stop stop',
    'non-stop',
    '',
    '   ',
    '🛑',
    '!!!',
    '"',
    'hello',
    'STOP2',
    '2 stop',
    'stop #1',
  ])('%j does not', (text) => {
    expect(isOptout(text)).toBe(false);
  });

  it('null (a message without text) does not', () => {
    expect(isOptout(null)).toBe(false);
  });
});

describe('foldKeyword', () => {
  it.each([
    ['  Stop. ', 'stop'],
    ['«STOP»', 'stop'],
    ['🛑stop🛑', 'stop'],
    ['Ｓｔｏｐ！', 'stop'],
    ["don't stop!", "don't stop"],
    ['stop 🛑 now', 'stop 🛑 now'],
    ['', ''],
    ['🛑', ''],
  ])('%j -> %j', (text, folded) => {
    expect(foldKeyword(text)).toBe(folded);
  });

  it('folds configured keywords the same way, so "STOP!" in a list still means stop', () => {
    const isOptout = optoutMatcher(['"Halt!"', 'ARRÊT', '  ']);
    expect(isOptout('halt')).toBe(true);
    expect(isOptout('Arrêt.')).toBe(true);
    expect(isOptout('')).toBe(false);
  });

  it('an emoji-only keyword someone configured still matches as written', () => {
    const isOptout = optoutMatcher(['STOP', '🛑']);
    expect(isOptout(' 🛑 ')).toBe(true);
    expect(isOptout('Stop!')).toBe(true);
    expect(isOptout('🛑🛑')).toBe(false);
    expect(optoutMatcher(DEFAULT_OPTOUT_KEYWORDS)('🛑')).toBe(false);
  });

  it('keeps the default list', () => {
    expect(DEFAULT_OPTOUT_KEYWORDS).toEqual(['STOP', 'UNSUBSCRIBE', 'STOPALL', 'CANCEL', 'END', 'QUIT', 'OPTOUT']);
  });

  it('is linear on a long message of punctuation (no regex backtracking)', () => {
    const text = `${'!'.repeat(50_000)}x${'!'.repeat(50_000)}`;
    expect(foldKeyword(text)).toBe('x');
  });
});
