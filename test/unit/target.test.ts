import { describe, expect, it } from 'vitest';
import { requireCredentials, resolveTarget, validateApiUrl } from '../../src/cli/target.js';
import { WaSendError } from '../../src/core/errors.js';
import { META_API_URL } from '../../src/core/types.js';

const TOKEN = 'EAAGm0d3lT0k3nN0tR3al1234567890abcdefghij';

/** The usage error `fn` throws: one line, naming the problem. */
function usage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(WaSendError);
    expect((err as WaSendError).kind).toBe('usage');
    const line = `${(err as WaSendError).message}${(err as WaSendError).hint ?? ''}`;
    expect(line).not.toMatch(/[\r\n]/);
    return line;
  }
  throw new Error('expected a usage error');
}

const env = (extra: Record<string, string>): NodeJS.ProcessEnv => ({ WA_PHONE_NUMBER_ID: '1065403522', ...extra });

describe('resolveTarget: the API URL is checked before anything is planned', () => {
  it.each([
    [META_API_URL, META_API_URL],
    ['https://proxy.example/graph', 'https://proxy.example/graph'],
    ['https://proxy.example/graph/', 'https://proxy.example/graph'],
    ['http://127.0.0.1:8089', 'http://127.0.0.1:8089'],
    ['http://[::1]:8089/', 'http://[::1]:8089'],
    ['HTTPS://Graph.Facebook.com', 'HTTPS://Graph.Facebook.com'],
  ])('accepts %s', (url, apiUrl) => {
    expect(resolveTarget({}, env({ WA_API_URL: url }))).toEqual({ api_url: apiUrl, phone_number_id: '1065403522' });
  });

  it('uses the default URL when none is given', () => {
    expect(resolveTarget({}, env({}))).toEqual({ api_url: META_API_URL, phone_number_id: '1065403522' });
  });

  const refused: Array<[string, string, RegExp]> = [
    [
      'a port out of range',
      'http://127.0.0.1:99999',
      /^WA_API_URL "http:\/\/127\.0\.0\.1:99999" has port 99999, out of range \(1–65535\)$/,
    ],
    ['port 0', 'http://127.0.0.1:0/', /has port 0, out of range/],
    ['an unparsable URL', 'http://[::1', /^WA_API_URL "http:\/\/\[::1" is not a valid URL$/],
    [
      'a user name and password',
      'https://bob:hunter2@proxy.example/graph',
      /^WA_API_URL "https:\/\/…@proxy\.example\/graph" must not contain a user name or password/,
    ],
    [
      'a query',
      'https://graph.example.com/?access_token=EAAGsecret',
      /^WA_API_URL "https:\/\/graph\.example\.com\/\?…" must not have a \?query or #fragment/,
    ],
    ['a fragment', 'https://graph.example.com/#top', /must not have a \?query or #fragment/],
    ['an empty query', 'https://graph.example.com/?', /must not have a \?query or #fragment/],
    [
      'another scheme',
      'ftp://graph.example.com',
      /^WA_API_URL "ftp:\/\/graph\.example\.com" must be an http:\/\/ or https:\/\/ URL$/,
    ],
    ['no scheme', 'graph.example.com', /must be an http:\/\/ or https:\/\/ URL/],
    ['host:port without a scheme', 'localhost:8089', /must be an http:\/\/ or https:\/\/ URL/],
    ['no host', 'http:///v23.0', /has no host name/],
    ['a space', 'https://graph.example.com /x', /contains a space or a control character/],
    ['a line break', 'https://graph.example.com\n', /contains a space or a control character/],
    ['nothing at all', '', /must be an http:\/\/ or https:\/\/ URL/],
  ];
  it.each(refused)('refuses %s', (_name, url, message) => {
    const line = usage(() => resolveTarget({}, env({ WA_API_URL: url })));
    expect(line).toMatch(message);
    // Credentials in a URL are secrets too.
    expect(line).not.toMatch(/hunter2|EAAGsecret/);
  });

  it('names --api-url when the flag gave the URL, and checks it even before the phone number id', () => {
    expect(usage(() => resolveTarget({ apiUrl: 'http://[::1' }, {}))).toMatch(/^--api-url "http:\/\/\[::1" is not a valid URL$/);
  });

  it('the sandbox needs no URL', () => {
    expect(resolveTarget({ sandbox: true }, { WA_API_URL: 'nonsense' })).toBe('sandbox');
  });
});

describe('validateApiUrl', () => {
  it('returns the URL without trailing slashes and names the source in errors', () => {
    expect(validateApiUrl('https://proxy.example/graph//', 'api_url in profile acme')).toBe('https://proxy.example/graph');
    expect(usage(() => validateApiUrl('gopher://x', 'api_url in profile acme'))).toMatch(
      /^api_url in profile acme "gopher:\/\/x" must be/,
    );
  });
});

describe('requireCredentials: a token that can only fail is refused without being shown', () => {
  const target = { api_url: 'https://graph.example.com', phone_number_id: '1' };
  const refused: Array<[string, string, RegExp]> = [
    ['a trailing line break', `${TOKEN}\n`, /^WA_ACCESS_TOKEN starts or ends with a space or a line break/],
    ['a CRLF env file', `${TOKEN}\r`, /starts or ends with a space or a line break/],
    ['surrounding spaces', `  ${TOKEN} `, /starts or ends with a space or a line break/],
    ['a line break inside', `${TOKEN.slice(0, 10)}\n${TOKEN.slice(10)}`, /^WA_ACCESS_TOKEN contains a line break$/],
    ['a NUL', `${TOKEN}\0x`, /^WA_ACCESS_TOKEN contains a NUL character$/],
    ['a tab inside', `${TOKEN.slice(0, 10)}\t${TOKEN.slice(10)}`, /^WA_ACCESS_TOKEN contains a control character$/],
    ['DEL', `${TOKEN}\x7f1`, /contains a control character/],
    ['an escape sequence', `\x1b[31m${TOKEN}`, /contains a control character/],
    ['a space inside', `${TOKEN.slice(0, 10)} ${TOKEN.slice(10)}`, /^WA_ACCESS_TOKEN contains a space$/],
    ['a typographic character', `${TOKEN}…`, /contains a character that is not printable ASCII/],
  ];
  it.each(refused)('refuses %s', (_name, token, message) => {
    const line = usage(() => requireCredentials(target, { WA_ACCESS_TOKEN: token }));
    expect(line).toMatch(message);
    expect(line).not.toContain(TOKEN.slice(0, 8));
    expect(line).not.toContain(TOKEN.slice(-8));
  });

  it.each([TOKEN, 'x', 'a.b-c_d~e+f/g=='])('accepts %j', (token) => {
    expect(requireCredentials(target, { WA_ACCESS_TOKEN: token })).toEqual({ token, apiVersion: 'v23.0' });
  });

  it('still checks WA_API_VERSION, and the sandbox needs no token', () => {
    expect(usage(() => requireCredentials(target, { WA_ACCESS_TOKEN: TOKEN, WA_API_VERSION: '23.0' }))).toMatch(
      /must look like v23\.0/,
    );
    expect(requireCredentials(target, { WA_ACCESS_TOKEN: TOKEN, WA_API_VERSION: ' v25.0 ' })).toEqual({
      token: TOKEN,
      apiVersion: 'v25.0',
    });
    expect(requireCredentials('sandbox', { WA_ACCESS_TOKEN: ' \n' }).token).toBe('sandbox-token');
  });
});
