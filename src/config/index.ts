// Profiles: the config file (load.ts), its key contract (validate.ts), token sources (token.ts),
// the resolution order of settings (resolve.ts) and the no-secrets listing (describe.ts).
export { describeProfile, type ProfileDescription } from './describe.js';
export { formatDuration, parseConfigDuration } from './duration.js';
export { ConfigError, defaultConfigPath, loadConfig } from './load.js';
export {
  type Resolved,
  type ResolvedSettings,
  resolveProfileName,
  resolveSettings,
  SETTING_DEFAULTS,
  type SettingFlags,
  type SettingSource,
  selectProfile,
} from './resolve.js';
export { readProfileToken, readToken, type TokenSource, tokenFileProblem } from './token.js';
export { type LoadedConfig, PROFILE_KEYS, type Profile } from './types.js';
