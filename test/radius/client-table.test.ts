import { describe, expect, it } from 'vitest';
import { ClientTable } from '../../src/radius/client-table.js';
import { networkSize, parseNetwork } from '../../src/util/ip.js';

describe('radius_ip_N networks (spec §5.1)', () => {
  it.each([
    ['10.0.0.5', 1n],
    ['10.0.0.0/8', 16777216n],
    ['10.1.2.3/8', 16777216n],
    ['3.3.3.3/255.255.0.0', 65536n],
    ['10.0.0.1-10.0.0.10', 10n],
    ['10.0.0.1 - 10.0.0.10', 10n],
    ['::1', 1n],
    ['2001:db8::/32', 2n ** 96n],
    ['::ffff:192.0.2.1', 1n],
  ])('%s has %s addresses', (text, size) => {
    const n = parseNetwork(text);
    expect(n && networkSize(n)).toBe(size);
  });

  it.each(['', 'foo', '10.0.0.0/33', '10.0.0.0/255.0.255.0', '10.0.0.9-10.0.0.1', '10.0.0.1-::1', '1.2.3.4,5.6.7.8'])('rejects %j', (text) => {
    expect(parseNetwork(text)).toBeUndefined();
  });

  it('masks host bits off a CIDR', () => {
    const n = parseNetwork('10.1.2.3/8')!;
    expect(n.first).toBe(10n << 24n);
  });
});

describe('client lookup: most specific wins, later section wins ties (spec §10.17)', () => {
  const t = new ClientTable<string>();
  t.addSection('wide', [{ network: '10.0.0.0/8', secret: 'a' }, { network: '192.0.2.7', secret: 'b' }]);
  t.addSection('narrow', [{ network: '10.1.0.0/16', secret: 'c' }]);
  t.addSection('range', [{ network: '10.1.2.1-10.1.2.9', secret: 'd' }]);
  t.addSection('tie', [{ network: '192.0.2.7', secret: 'e' }]);

  it.each([
    ['10.9.9.9', 'wide', 'a'],
    ['10.1.9.9', 'narrow', 'c'],
    ['10.1.2.5', 'range', 'd'],
    ['192.0.2.7', 'tie', 'e'],
  ])('%s → %s', (addr, section, secret) => {
    const e = t.lookup(addr)!;
    expect(e.section).toBe(section);
    expect(e.secret.toString()).toBe(secret);
  });

  it('unknown sources get nothing', () => {
    expect(t.lookup('172.16.0.1')).toBeUndefined();
    expect(t.lookup('::1')).toBeUndefined();
    expect(t.lookup('not-an-ip')).toBeUndefined();
  });

  it('ignores a wider network listed later', () => {
    const u = new ClientTable<string>();
    u.addSection('host', [{ network: '127.0.0.1', secret: 'x' }]);
    u.addSection('all', [{ network: '0.0.0.0/0', secret: 'y' }]);
    expect(u.lookup('127.0.0.1')?.section).toBe('host');
    expect(u.lookup('127.0.0.2')?.section).toBe('all');
  });
});
