// Every one of Meta's 50 example request bodies (facebook/openapi, MIT) must be accepted, with a
// response shaped like Meta's own example responses.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSandbox, startSandbox } from '../../src/sandbox/index.js';
import { WHATSAPP_SAMPLES } from '../helpers/fixtures.js';
import { post } from './helpers.js';

const SAMPLES = WHATSAPP_SAMPLES;
const REQUESTS = join(SAMPLES, 'facebook-openapi-send-requests');

// The placeholders Meta's examples use; all four stand inside JSON strings, so they are strings.
const PLACEHOLDERS: Record<string, string> = {
  '{{Recipient-Phone-Number}}': '+16505551234',
  '{{Recipient-WA-Phone-Number}}': '16505551234',
  '{{Flow-ID}}': '1234567890123456',
  '{{Flow-Name}}': 'sample_flow',
};

function load(file: string): Record<string, unknown> {
  let text = readFileSync(join(REQUESTS, file), 'utf8');
  for (const [k, v] of Object.entries(PLACEHOLDERS)) text = text.split(k).join(v);
  expect(text, `${file} has a placeholder this test does not know`).not.toMatch(/\{\{[^}]*\}\}/);
  return JSON.parse(text);
}

const files = readdirSync(REQUESTS)
  .filter((f) => f.endsWith('.json'))
  .sort();

describe('Meta sample requests', () => {
  let sandbox: RunningSandbox;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it('finds all 50 samples', () => {
    expect(files).toHaveLength(50);
  });

  it.each(files)('accepts %s', async (file) => {
    const body = load(file);
    const { status, json } = await post(sandbox.url, body);
    expect(status, `${file}: ${JSON.stringify(json)}`).toBe(200);
    if (body.status === 'read') {
      expect(json).toEqual({ success: true });
      return;
    }
    expect(json.messaging_product).toBe('whatsapp');
    expect(json.contacts).toEqual([{ input: body.to, wa_id: String(body.to).replace(/\D/g, '') }]);
    expect(json.messages).toHaveLength(1);
    expect(json.messages[0].id).toMatch(/^wamid\.[A-Za-z0-9]+$/);
    expect(json.messages[0].message_status).toBe('accepted');
  });

  it('answers with the same keys as Meta example responses', async () => {
    const example = JSON.parse(readFileSync(join(SAMPLES, 'facebook-openapi-send-responses/send-text-message.json'), 'utf8'));
    const { json } = await post(sandbox.url, load('send-text-message.json'));
    expect(Object.keys(json).sort()).toEqual(Object.keys(example).sort());
    expect(Object.keys(json.contacts[0]).sort()).toEqual(Object.keys(example.contacts[0]).sort());
  });

  it('gives every accepted message a distinct wamid', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 20; i++) ids.add((await post(sandbox.url, load('send-text-message.json'))).json.messages[0].id);
    expect(ids.size).toBe(20);
  });
});
