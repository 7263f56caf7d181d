import { describe, expect, it } from 'vitest';
import { formatLogTimestamp, memoryLogger, scrubSecrets } from '../../src/log/logger.js';

describe('main log format (spec §7.1)', () => {
  it('formats local time as %Y-%m-%dT%H:%M:%S%z', () => {
    const s = formatLogTimestamp(new Date(2020, 5, 1, 10, 22, 57));
    expect(s).toMatch(/^2020-06-01T10:22:57[+-]\d{4}$/);
  });

  it('writes "<ts> [<system>] <text>" and indents continuation lines with a tab', () => {
    const { log, sink } = memoryLogger();
    log.child('DuoForwardServer (UDP)').info('Sending request from 10.0.0.5 to radius_server_auto\nsecond');
    expect(sink.lines[0]).toMatch(
      /^\S+ \[DuoForwardServer \(UDP\)\] Sending request from 10\.0\.0\.5 to radius_server_auto\n\tsecond$/,
    );
  });

  it('drops debug lines unless debug is on', () => {
    const off = memoryLogger(false);
    off.log.debug('x');
    expect(off.sink.lines).toHaveLength(0);
    const on = memoryLogger(true);
    on.log.debug('x');
    expect(on.sink.texts()).toEqual(['x']);
  });

  it('scrubs every registered secret from every line', () => {
    const { log, sink, core } = memoryLogger();
    core.secrets.add('s3cr3t;#=:');
    log.error('oops with s3cr3t;#=: inside', new Error('and s3cr3t;#=: in the cause'));
    expect(sink.lines.join('\n')).not.toContain('s3cr3t');
    expect(scrubSecrets('a-b', new Set(['b']))).toBe('a-b');
  });
});
