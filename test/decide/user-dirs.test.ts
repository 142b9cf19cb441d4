// The agent's config and cache directories are the ones env-paths gives (the first release's
// directories), now worked out without loading node:os on every start.
import envPaths from 'env-paths';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { homeDir, userDirs } from '../../src/decide/user-dirs.js';

describe('userDirs', () => {
  it.runIf(process.platform !== 'win32' && process.platform !== 'darwin')('on this platform: exactly what env-paths gives, with and without the XDG variables', () => {
    const expected = envPaths('telemetry-agent', { suffix: '' });
    const env = { HOME: process.env.HOME, XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME, XDG_CACHE_HOME: process.env.XDG_CACHE_HOME };
    expect(userDirs('telemetry-agent', process.platform, env)).toEqual({ config: expected.config, cache: expected.cache });
    expect(userDirs('x', 'linux', { HOME: '/h', XDG_CONFIG_HOME: '/c', XDG_CACHE_HOME: '/k' })).toEqual({ config: '/c/x', cache: '/k/x' });
    expect(userDirs('x', 'linux', { HOME: '/h', XDG_CONFIG_HOME: '', XDG_CACHE_HOME: '' })).toEqual({ config: '/h/.config/x', cache: '/h/.cache/x' });
  });

  it("macOS and Windows follow env-paths' rules", () => {
    expect(userDirs('x', 'darwin', { HOME: '/Users/a' })).toEqual({ config: join('/Users/a', 'Library', 'Preferences', 'x'), cache: join('/Users/a', 'Library', 'Caches', 'x') });
    expect(userDirs('x', 'win32', { USERPROFILE: 'U', APPDATA: 'R', LOCALAPPDATA: 'L' })).toEqual({ config: join('R', 'x', 'Config'), cache: join('L', 'x', 'Cache') });
    expect(userDirs('x', 'win32', { USERPROFILE: 'U' })).toEqual({ config: join('U', 'AppData', 'Roaming', 'x', 'Config'), cache: join('U', 'AppData', 'Local', 'x', 'Cache') });
  });

  it('the home directory comes from the environment, else from the OS as os.homedir() gives it', () => {
    expect(homeDir('linux', { HOME: '/h' })).toBe('/h');
    expect(homeDir('win32', { USERPROFILE: 'C:\\Users\\a', HOME: '/ignored' })).toBe('C:\\Users\\a');
    expect(homeDir('linux', {})).toBe(homedir());
  });
});
