// A sending profile from the config file (DESIGN §1, contract for its keys): one business number and
// how to reach it. Every field is optional; what a profile leaves out comes from flags, environment
// or defaults (resolve.ts). No field holds a secret: the token stays in the env var or file named.

export interface Profile {
  name: string;
  phoneNumberId?: string;
  wabaId?: string;
  /** Without a trailing slash. */
  apiUrl?: string;
  /** Name of the environment variable holding the access token. */
  tokenEnv?: string;
  /** Absolute path (a relative one in the file is read from the config file's directory). */
  tokenFile?: string;
  rate?: number;
  dailyLimit?: number;
  notify?: string;
  /** 0 = no dedup window. */
  dedupWindowMs?: number;
  requireOptin?: boolean;
}

export interface LoadedConfig {
  /** The file read, or null when the default file does not exist (no profiles). */
  path: string | null;
  profiles: Map<string, Profile>;
}

/** The TOML keys of a profile (contract), in the order the docs list them. */
export const PROFILE_KEYS = [
  'phone_number_id',
  'waba_id',
  'api_url',
  'token_env',
  'token_file',
  'rate',
  'daily_limit',
  'notify',
  'dedup_window',
  'require_optin',
] as const;
