import { ConfigError, loadConfig } from './config';

describe('loadConfig: LOG_LEVEL', () => {
  const env = (extra: Record<string, string> = {}) => ({ DATA_DIR: '/tmp/chuishao-config-spec', ...extra });

  it('logs errors, warnings and log lines by default, not the per-command debug lines', () => {
    expect(loadConfig(env()).logLevels).toEqual(['error', 'warn', 'log']);
  });

  it('debug adds the per-command lines; verbose everything', () => {
    expect(loadConfig(env({ LOG_LEVEL: 'debug' })).logLevels).toEqual(['error', 'warn', 'log', 'debug']);
    expect(loadConfig(env({ LOG_LEVEL: 'verbose' })).logLevels).toEqual(['error', 'warn', 'log', 'debug', 'verbose']);
    expect(loadConfig(env({ LOG_LEVEL: 'warn' })).logLevels).toEqual(['error', 'warn']);
  });

  it('refuses an unknown level at start-up', () => {
    expect(() => loadConfig(env({ LOG_LEVEL: 'chatty' }))).toThrow(ConfigError);
  });
});
