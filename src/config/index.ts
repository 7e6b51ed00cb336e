// Profiles: the config file (load.ts), its key contract (validate.ts), token sources (token.ts),
// the resolution order of settings (resolve.ts) and the no-secrets listing (describe.ts).
export { describeProfile, type ProfileDescription } from './describe.js';
export { formatDuration, parseConfigDuration } from './duration.js';
export { ConfigError, defaultConfigPath, loadConfig } from './load.js';
export {
  resolveProfileName, resolveSettings, selectProfile, SETTING_DEFAULTS,
  type Resolved, type ResolvedSettings, type SettingFlags, type SettingSource,
} from './resolve.js';
export { readProfileToken, readToken, tokenFileProblem, type TokenSource } from './token.js';
export { PROFILE_KEYS, type LoadedConfig, type Profile } from './types.js';
