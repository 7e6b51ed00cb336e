// The Bearer check every Graph endpoint of the sandbox shares: no token → 190, and when the sandbox
// was given a token, any other one → 190 (HTTP 401, like Meta's expired or invalid token answer).
import type { IncomingMessage } from 'node:http';
import type { ResolvedOptions } from './options.js';

/** The error details for a refused token, or null when the request may go on. */
export function tokenProblem(o: ResolvedOptions, req: IncomingMessage): string | null {
  const auth = req.headers.authorization ?? '';
  const token = /^Bearer\s+/i.test(auth) ? auth.replace(/^Bearer\s+/i, '').trim() : '';
  if (!token) return 'missing access token: send "Authorization: Bearer <token>"';
  if (o.token !== null && token !== o.token) return 'invalid OAuth access token';
  return null;
}
