import { describe, expect, it } from 'vitest';
import { DuoOnlyClient } from '../../src/primary/duo-only-client.js';
import { NO_ABORT, primaryRequest } from './radius-client-fixtures.js';

describe('DuoOnlyClient ([duo_only_client], spec §4)', () => {
  it('accepts any password (even none) with "Ignoring primary credentials" and no attributes', async () => {
    const c = new DuoOnlyClient();
    await c.start();
    expect(c.kind).toBe('duo_only_client');
    expect(c.name).toBe('duo_only_client');
    for (const password of ['right', 'wrong', '', undefined]) {
      expect(await c.authenticate(primaryRequest({ user: 'alice', password }), NO_ABORT)).toEqual({
        status: 'accept',
        message: 'Ignoring primary credentials',
        attributes: [],
      });
    }
    await c.close();
  });

  it('keeps the configured section name', () => {
    expect(new DuoOnlyClient('duo_only_client2').name).toBe('duo_only_client2');
  });
});
