import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../src/errors.js';

describe('error code registry and README table', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const documented = [...readme.matchAll(/^\| (AP_ERR_[A-Z0-9_]+) \|/gm)].map((m) => m[1]);

  it('every code in src/errors.ts has a README row', () => {
    expect(Object.keys(ERROR_CODES).filter((c) => !documented.includes(c))).toEqual([]);
  });

  it('every README row names a code that exists', () => {
    expect(documented.filter((c) => !(c! in ERROR_CODES))).toEqual([]);
  });

  it('each code is documented once', () => {
    expect(new Set(documented).size).toBe(documented.length);
  });
});
