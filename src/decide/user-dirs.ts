// Where a program keeps its per-user config and cache, by the platform's rules (XDG on Linux,
// ~/Library on macOS, %APPDATA%/%LOCALAPPDATA% on Windows) — the same directories as the
// env-paths package gives, without its module loading node:os: this runs on every start,
// telemetry on or off, and the home directory is nearly always in the environment already.
import { join } from 'node:path';

export interface UserDirs {
  readonly config: string;
  readonly cache: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/** The home directory as os.homedir() gives it: HOME (USERPROFILE on Windows), else the OS's answer. */
export function homeDir(platform: string = process.platform, env: Env = process.env): string {
  const fromEnv = platform === 'win32' ? env.USERPROFILE : env.HOME;
  return fromEnv || (process.getBuiltinModule('node:os') as typeof import('node:os')).homedir();
}

export function userDirs(name: string, platform: string = process.platform, env: Env = process.env): UserDirs {
  const home = homeDir(platform, env);
  if (platform === 'darwin') return { config: join(home, 'Library', 'Preferences', name), cache: join(home, 'Library', 'Caches', name) };
  if (platform === 'win32') {
    return {
      config: join(env.APPDATA || join(home, 'AppData', 'Roaming'), name, 'Config'),
      cache: join(env.LOCALAPPDATA || join(home, 'AppData', 'Local'), name, 'Cache'),
    };
  }
  return { config: join(env.XDG_CONFIG_HOME || join(home, '.config'), name), cache: join(env.XDG_CACHE_HOME || join(home, '.cache'), name) };
}
