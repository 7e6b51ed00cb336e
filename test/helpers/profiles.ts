// A profiles file (--config) for tests: one profile per number, tokens from the environment.
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A config file with one profile per number, tokens from the environment. */
export function profilesConfig(dir: string, profiles: Record<string, { number: string; url: string; extra?: string }>): string {
  const path = join(dir, 'config.toml');
  const text = Object.entries(profiles)
    .map(
      ([name, p]) =>
        `[profiles.${name}]\nphone_number_id = "${p.number}"\napi_url = "${p.url}"\ntoken_env = "TOKEN_${name.toUpperCase()}"\n${p.extra ?? ''}`,
    )
    .join('\n');
  writeFileSync(path, text);
  chmodSync(path, 0o600);
  return path;
}
