// Meta's example payloads (MIT, see LICENSE.facebook-openapi-MIT there) and our synthetic status and
// error fixtures, vendored so a fresh clone tests without ../shared.
import { fileURLToPath } from 'node:url';

export const WHATSAPP_SAMPLES = fileURLToPath(new URL('../fixtures/whatsapp-samples', import.meta.url));
