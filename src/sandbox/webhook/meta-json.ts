// Webhook bodies serialized the way Meta sends them: JSON with every non-ASCII UTF-16 unit escaped
// as \uXXXX in lowercase hex (an emoji becomes its surrogate pair, "\ud83d\ude00"). Receivers must
// verify the signature over these exact bytes; re-serializing parsed JSON would not reproduce them,
// which is exactly the mistake this lets tests catch.

export function metaJson(value: unknown): string {
  // Non-ASCII can only occur inside JSON strings, so a global replace is safe.
  return JSON.stringify(value).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
