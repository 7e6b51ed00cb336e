import { describe, expect, it } from 'vitest';
import { clean, clip, escapeHtml, html, raw } from '../../src/report/html.js';

describe('escaping', () => {
  it.each([
    ['<script>alert(1)</script>', '&lt;script&gt;alert(1)&lt;/script&gt;'],
    [`"quoted" & 'single'`, '&quot;quoted&quot; &amp; &#39;single&#39;'],
    ['line\nbreak\ttab', 'line break tab'],
    ['bell\u0007 nul\u0000 c1\u0085', 'bell\ufffd nul\ufffd c1\ufffd'],
    ['bidi \u202Eevil\u2066', 'bidi \ufffdevil\ufffd'],
    ['lone \ud800 surrogate', 'lone \ufffd surrogate'],
    ['emoji 👋 kept', 'emoji 👋 kept'],
  ])('%j', (input, expected) => {
    expect(escapeHtml(input)).toBe(expected);
  });

  it('interpolations are escaped, SafeHtml is not, arrays are joined', () => {
    const name = '<img src=x onerror=alert(1)>';
    const out = html`<p title="${name}">${name}${raw('<b>ok</b>')}${[1, '<', null, false]}</p>`.value;
    expect(out).toBe('<p title="&lt;img src=x onerror=alert(1)&gt;">&lt;img src=x onerror=alert(1)&gt;<b>ok</b>1&lt;</p>');
  });

  it('clip cuts at code points and marks the cut', () => {
    expect(clip('abcdef', 10)).toBe('abcdef');
    expect(clip('abcdef', 4)).toBe('abc…');
    expect(clip('👋👋👋👋', 3)).toBe('👋👋…');
    expect(escapeHtml('x'.repeat(100_000)).length).toBeLessThanOrEqual(4000);
  });

  it('clean keeps ordinary text as it is', () => {
    expect(clean('Ünïcödé – “quotes” 中文')).toBe('Ünïcödé – “quotes” 中文');
  });
});
