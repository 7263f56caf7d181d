/**
 * Signing vectors. Every expected digest below was computed once, independently of our code, with
 * Python 3.11 (`urllib.parse.quote(s, safe='~')`, `hmac`, `hashlib`, `json.dumps(sort_keys=True,
 * separators=(',', ':'))`) and cross-checked with `openssl dgst -sha1 -hmac`, then pasted here.
 */
import { describe, expect, it } from 'vitest';
import {
  basicAuthorization,
  canonJson,
  canonParams,
  canonicalRequest,
  duoHeadersHash,
  duoQuote,
  rfc2822Date,
  sha512Hex,
  signRequest,
  verifySignature,
} from '../../src/duo/sign.js';
import type { DuoParams } from '../../src/duo/sign.js';

const SKEY = 'sk3yT3stV4lu3abcdefghijklmnopqrstuvwxyz0';
const IKEY = 'DIT3STIKEY0000000001';
const HOST = 'API-XXXXXXXX.duosecurity.com';
const DATE = 'Tue, 21 Aug 2012 17:29:18 -0000';

const CASES: { name: string; params: DuoParams; canon: string; v1: string }[] = [
  { name: 'empty params', params: {}, canon: '', v1: '5672e0dd23fb276ff9f6a5a26ce77b3f7a5022b1' },
  {
    name: 'foo < foo1 < foo_bar (common prefix)',
    params: { foo_bar: '2', foo: '1', foo1: 'x' },
    canon: 'foo=1&foo1=x&foo_bar=2',
    v1: 'f105d9e9b98f34e9173556512daaad0f5eae8165',
  },
  {
    name: "printable ASCII punctuation incl. ! ' ( ) *",
    params: { p: ' !"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~', q: 'a b/c' },
    canon: 'p=%20%21%22%23%24%25%26%27%28%29%2A%2B%2C-.%2F%3A%3B%3C%3D%3E%3F%40%5B%5C%5D%5E_%60%7B%7C%7D~&q=a%20b%2Fc',
    v1: '47aa740c6b3917a57b9573ba4bc88c34b18472c6',
  },
  {
    name: 'unicode keys and values',
    params: { 'bläh': 'blöh', 'ключ': 'значение', 'emoji😀': '→ ✓' },
    canon:
      '%D0%BA%D0%BB%D1%8E%D1%87=%D0%B7%D0%BD%D0%B0%D1%87%D0%B5%D0%BD%D0%B8%D0%B5&bl%C3%A4h=bl%C3%B6h&emoji%F0%9F%98%80=%E2%86%92%20%E2%9C%93',
    v1: '87a2ddb31130bd7196c05dffd029fccea604f1df',
  },
  {
    name: 'repeated name: values sorted by encoded value, upper case first',
    params: { k: ['b', 'a', 'A'], K: 'z' },
    canon: 'K=z&k=A&k=a&k=b',
    v1: '7feb407716722f862a39ce8f263b87edd314f151',
  },
];

describe('duoQuote', () => {
  it('escapes the five characters encodeURIComponent keeps', () => {
    expect(duoQuote("!'()*")).toBe('%21%27%28%29%2A');
    expect(duoQuote('A-Z_a.z~0 9/é')).toBe('A-Z_a.z~0%209%2F%C3%A9');
  });
});

describe('signature v1 (METHOD, host, path, params; HMAC-SHA1)', () => {
  for (const c of CASES) {
    it(c.name, () => {
      expect(canonParams(c.params)).toBe(c.canon);
      const req = { method: 'post', host: HOST, path: '/rest/v1/preauth', params: c.params };
      expect(canonicalRequest(1, req)).toBe(`POST\napi-xxxxxxxx.duosecurity.com\n/rest/v1/preauth\n${c.canon}`);
      expect(signRequest(1, req, SKEY)).toBe(c.v1);
    });
  }

  it('builds the Basic authorization header from ikey and hex digest', () => {
    const sig = signRequest(1, { method: 'POST', host: HOST, path: '/rest/v1/preauth' }, SKEY);
    expect(basicAuthorization(IKEY, sig)).toBe(
      'Basic RElUM1NUSUtFWTAwMDAwMDAwMDE6NTY3MmUwZGQyM2ZiMjc2ZmY5ZjZhNWEyNmNlNzdiM2Y3YTUwMjJiMQ==',
    );
  });
});

describe('signature v2 (Date first; SHA1 or SHA512)', () => {
  const unicode = CASES[3]?.params ?? {};
  const req = { method: 'POST', host: HOST, path: '/auth/v2/preauth', params: unicode, date: DATE };
  it('HMAC-SHA1', () => {
    expect(signRequest(2, req, SKEY, 'sha1')).toBe('bfcf566ff0935151680464e9c73e668555be817a');
  });
  it('HMAC-SHA512 (default)', () => {
    expect(signRequest(2, req, SKEY)).toBe(
      'ef66fdfd7402c0fbaa257c3d7815ab44e3b53380d1621342a1bd89da9e09ae81299bd977145250090b6b1195060f078e7aae7098ddcb17572fda503c63f7b24f',
    );
  });
  it('GET with query parameters', () => {
    const get = { method: 'get', host: HOST, path: '/auth/v2/auth_status', params: { txid: 'abc-123', z: 'x y' }, date: DATE };
    expect(signRequest(2, get, SKEY, 'sha512')).toBe(
      '76b41eec26e7873206acd9e18ec67f4be1e543bcc0cd0700eedf945a12585ce047fbc56100e0da534d636a36a247bcb26219cdca8f3aa79086547e7f1f71c23d',
    );
  });
});

describe('canonical JSON (Python json.dumps sort_keys, compact, ensure_ascii)', () => {
  const body = {
    username: 'jdöe',
    factor: 'push',
    device: 'auto',
    async: '1',
    nested: { b: [1, 2, { z: true, a: null }], a: 'x"\\\n\x7f😀' },
  };
  const expected =
    '{"async":"1","device":"auto","factor":"push","nested":{"a":"x\\"\\\\\\n\\u007f\\ud83d\\ude00","b":[1,2,{"a":null,"z":true}]},"username":"jd\\u00f6e"}';

  it('matches byte for byte', () => {
    expect(canonJson(body)).toBe(expected);
  });

  it('signature v5 of a JSON POST (params line empty, body hash, empty X-Duo hash)', () => {
    const req = { method: 'POST', host: HOST, path: '/auth/v2/auth', body: expected, date: DATE };
    expect(signRequest(5, req, SKEY)).toBe(
      'b9f7837b1ef07a9906a701cfb9c53efd764c122e2e78adf18e2a0d155b464bb1b51bdc77945e9f8d5fd1114b7404703d655a37bda7a0b0f67b032e47a5c9d707',
    );
  });

  it('signature v5 with X-Duo headers (names lower-cased and sorted)', () => {
    const duoHeaders = { 'X-Duo-B': 'two', 'x-duo-a': 'one' };
    expect(duoHeadersHash(duoHeaders)).toBe(
      '3b712a13bc8523cfa87f81d7f1ce37299daca89f9a8b7626523ed0197c1c9ee809dea47c178ade8e84500ba1ce65cb34a5f983aed681789dcfe199c7ff071ef8',
    );
    const req = { method: 'POST', host: HOST, path: '/auth/v2/auth', body: expected, date: DATE, duoHeaders };
    expect(signRequest(5, req, SKEY)).toBe(
      'baba17726ebc4010df59ab44fd4a7fbaade7b956833a4a44f6bf52f4acd0dd12e8bbe037b3566fb54c74f2ff9cf783481a22d48d302322699a4c3d7c4dab4015',
    );
  });

  it('refuses non-X-Duo, NUL and duplicate headers', () => {
    expect(() => duoHeadersHash({ Date: 'x' })).toThrow(TypeError);
    expect(() => duoHeadersHash({ 'X-Duo-A': 'a\0b' })).toThrow(TypeError);
    expect(() => duoHeadersHash({ 'X-Duo-A': 'a', 'x-duo-a': 'b' })).toThrow(TypeError);
  });
});

describe('signature v5 GET', () => {
  it('query parameters and the empty-body hash', () => {
    const req = { method: 'GET', host: HOST, path: '/auth/v2/auth_status', params: { txid: 'abc-123', z: 'x y' }, date: DATE };
    expect(signRequest(5, req, SKEY)).toBe(
      'dcd532516e39146f3448daa59e967bb433e025089cf835cda70c1d47d891a2867d75bcaaee6c91fa192baf0d835bbce74a4fc3d86420c3a497d9623fd19b957c',
    );
  });
  it('no parameters', () => {
    expect(signRequest(5, { method: 'GET', host: HOST, path: '/auth/v2/check', date: DATE }, SKEY)).toBe(
      'f8500afcb7f5f3547b60683faf49c62ee912eef4751bb755883c150ecf4e615be55b81d69a131429776d2b7568ea142766d34ad27a4af5194efda15d61a336bc',
    );
  });
  it('sha512Hex of "" is the well-known constant', () => {
    expect(sha512Hex('')).toBe(
      'cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e',
    );
  });
});

describe('rfc2822Date', () => {
  it('formats like Python email.utils.formatdate()', () => {
    expect(rfc2822Date(new Date(1345570158_000))).toBe(DATE);
    expect(rfc2822Date(new Date(0))).toBe('Thu, 01 Jan 1970 00:00:00 -0000');
    expect(rfc2822Date(new Date(1709251199_000))).toBe('Thu, 29 Feb 2024 23:59:59 -0000');
  });
});

describe('verifySignature', () => {
  const params = { user: 'jdoe', ipaddr: '10.0.0.1', failmode: 'safe' };
  const sig = signRequest(1, { method: 'POST', host: HOST, path: '/rest/v1/preauth', params }, SKEY);
  const base = {
    method: 'POST',
    host: 'api-xxxxxxxx.duosecurity.com',
    path: '/rest/v1/preauth',
    params,
    lookupSkey: (k: string) => (k === IKEY ? SKEY : undefined),
    version: 1 as const,
  };

  it('accepts the right signature', () => {
    expect(verifySignature({ ...base, headers: { authorization: basicAuthorization(IKEY, sig) } })).toEqual({ ok: true, ikey: IKEY });
  });
  it('rejects one flipped hex digit', () => {
    const bad = `${sig.slice(0, -1)}${sig.endsWith('0') ? '1' : '0'}`;
    expect(verifySignature({ ...base, headers: { authorization: basicAuthorization(IKEY, bad) } })).toMatchObject({ ok: false, reason: 'bad-signature' });
  });
  it('rejects a changed parameter', () => {
    const v = verifySignature({ ...base, params: { ...params, user: 'eve' }, headers: { authorization: basicAuthorization(IKEY, sig) } });
    expect(v).toMatchObject({ ok: false, reason: 'bad-signature' });
  });
  it('rejects an unknown ikey and missing credentials', () => {
    expect(verifySignature({ ...base, headers: { authorization: basicAuthorization('DIOTHER', sig) } })).toMatchObject({ reason: 'unknown-ikey' });
    expect(verifySignature({ ...base, headers: {} })).toMatchObject({ reason: 'no-credentials' });
    expect(verifySignature({ ...base, headers: { authorization: 'Bearer x' } })).toMatchObject({ reason: 'no-credentials' });
  });
  it('checks v5 against the Date header and body', () => {
    const body = canonJson({ username: 'jdoe' });
    const s5 = signRequest(5, { method: 'POST', host: HOST, path: '/auth/v2/preauth', body, date: DATE }, SKEY);
    const v5 = { ...base, path: '/auth/v2/preauth', params: {}, body, version: 5 as const };
    expect(verifySignature({ ...v5, headers: { authorization: basicAuthorization(IKEY, s5), date: DATE } }).ok).toBe(true);
    const otherDate = 'Tue, 21 Aug 2012 17:29:19 -0000';
    expect(verifySignature({ ...v5, headers: { authorization: basicAuthorization(IKEY, s5), date: otherDate } }).ok).toBe(false);
  });
});
