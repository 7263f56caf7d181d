/** Response judgement (spec §6.1) and the failmode matrix (spec §5.7) as pure tables. */
import { describe, expect, it } from 'vitest';
import { DuoApiError, isFailOpenable } from '../../src/duo/errors.js';
import { judgeResponse, pythonBytesRepr, toAuthResult, toPreauthResult } from '../../src/duo/parse.js';
import type { DuoFailure } from '../../src/duo/types.js';

const buf = (s: string): Buffer => Buffer.from(s, 'utf8');

function judge(status: number, body: string, stage: 'preauth' | 'auth' = 'preauth'): DuoApiError {
  try {
    judgeResponse(status, buf(body), stage);
  } catch (err) {
    if (err instanceof DuoApiError) return err;
    throw err;
  }
  throw new Error('expected a DuoApiError');
}

describe('judgeResponse', () => {
  it('returns the response object of stat OK for any status', () => {
    expect(judgeResponse(200, buf('{"stat":"OK","response":{"result":"allow","status":"x"}}'), 'preauth')).toEqual({ result: 'allow', status: 'x' });
    expect(judgeResponse(302, buf('{"stat":"OK","response":{"time":1}}'), 'check')).toEqual({ time: 1 });
  });

  const rows: { status: number; body: string; failure: DuoFailure; message: string; open: boolean; code?: number }[] = [
    { status: 200, body: '{"stat":"FAIL","code":40002,"message":"Invalid request parameters"}', failure: 'fail', message: '40002: Invalid request parameters', open: false, code: 40002 },
    { status: 401, body: '{"stat":"FAIL","code":40103,"message":"Invalid signature in request credentials"}', failure: 'http4xx', message: '40103: Invalid signature in request credentials', open: false, code: 40103 },
    { status: 429, body: '{"stat":"FAIL","code":42901,"message":"Too Many Requests"}', failure: 'http4xx', message: '42901: Too Many Requests', open: false, code: 42901 },
    { status: 503, body: '{"stat":"FAIL","code":50301,"message":"Service Unavailable"}', failure: 'http5xx', message: '50301: Service Unavailable', open: true, code: 50301 },
    { status: 500, body: '<html>oops</html>', failure: 'http5xx', message: 'API request failed: HTTP Error 500', open: true },
    { status: 404, body: 'not found', failure: 'http4xx', message: 'API request failed: HTTP Error 404', open: false },
    { status: 302, body: '', failure: 'fail', message: 'API request failed: HTTP Error 302', open: false },
    { status: 200, body: "<p>it's\n</p>", failure: 'fail', message: 'Invalid Remote API Response: b"<p>it\'s\\n</p>"', open: false },
    { status: 200, body: '{"stat":"OK"}', failure: 'fail', message: 'Invalid Remote API Response: b\'{"stat":"OK"}\'', open: false },
    { status: 200, body: '{"stat":"FAIL"}', failure: 'fail', message: 'Invalid Remote API Response: b\'{"stat":"FAIL"}\'', open: false },
    { status: 200, body: '[1]', failure: 'fail', message: "Invalid Remote API Response: b'[1]'", open: false },
    { status: 200, body: '{"stat":"MAYBE","response":{"a":1}}', failure: 'malformed', message: 'Malformed API Response', open: true },
    { status: 200, body: '{"stat":"OK","response":{}}', failure: 'malformed', message: 'Malformed API Response', open: true },
    { status: 200, body: '{"stat":"OK","response":[1]}', failure: 'malformed', message: 'Malformed API Response', open: true },
    { status: 200, body: '{"stat":"OK","response":"x"}', failure: 'malformed', message: 'Malformed API Response', open: true },
  ];
  for (const r of rows) {
    it(`${r.status} ${r.body.slice(0, 40)} → ${r.failure}`, () => {
      const err = judge(r.status, r.body);
      expect(err.failure).toBe(r.failure);
      expect(err.message).toBe(r.message);
      expect(err.failOpenable()).toBe(r.open);
      expect(err.httpStatus).toBe(r.status);
      expect(err.duoCode).toBe(r.code);
      expect(err.stage).toBe('preauth');
      expect(err.code).toMatch(/^AP_ERR_DUO_/);
    });
  }

  it('quotes non-ASCII and control bytes like Python repr', () => {
    expect(pythonBytesRepr(Buffer.from([0x61, 0x00, 0xff, 0x5c, 0x27, 0x22, 0x09, 0x0d]))).toBe("b'a\\x00\\xff\\\\\\'\"\\t\\r'");
  });
});

describe('failmode matrix (spec §5.7)', () => {
  const table: [DuoFailure, boolean, boolean][] = [
    // failure, preauth open?, auth open?
    ['transport', true, false],
    ['timeout', true, false],
    ['http5xx', true, true],
    ['http4xx', false, false],
    ['fail', false, false],
    ['malformed', true, true],
    ['local', false, false],
  ];
  for (const [failure, pre, auth] of table) {
    it(`${failure}: preauth ${pre ? 'open' : 'closed'}, auth ${auth ? 'open' : 'closed'}`, () => {
      expect(isFailOpenable(failure, 'preauth')).toBe(pre);
      expect(isFailOpenable(failure, 'auth')).toBe(auth);
      expect(new DuoApiError('x', { failure, stage: 'auth' }).failOpenable()).toBe(auth);
    });
  }
});

describe('v1 result validation', () => {
  const malformed = (f: () => unknown): void => {
    expect(f).toThrow(DuoApiError);
    try {
      f();
    } catch (err) {
      expect((err as DuoApiError).failure).toBe('malformed');
      expect((err as DuoApiError).failOpenable()).toBe(true);
    }
  };

  it('allow/deny/enroll need status', () => {
    expect(toPreauthResult({ result: 'deny', status: 'no', groups: ['g'] }, 200)).toEqual({ result: 'deny', status: 'no', groups: ['g'] });
    malformed(() => toPreauthResult({ result: 'allow' }, 200));
  });
  it('auth needs an object factors and a prompt', () => {
    const ok = { result: 'auth', status: 's', factors: { default: 'push1', '1': 'push1' }, prompt: 'p' };
    expect(toPreauthResult(ok, 200)).toEqual(ok);
    malformed(() => toPreauthResult({ ...ok, factors: ['push1'] }, 200));
    malformed(() => toPreauthResult({ ...ok, prompt: undefined }, 200));
    malformed(() => toPreauthResult({ ...ok, factors: { '1': 3 } }, 200));
  });
  it('other results are malformed', () => {
    malformed(() => toPreauthResult({ result: 'maybe', status: 's' }, 200));
  });
  it('auth answers need allow/deny and status', () => {
    expect(toAuthResult({ result: 'allow', status: 'ok' }, 200)).toEqual({ result: 'allow', status: 'ok' });
    malformed(() => toAuthResult({ result: 'allow' }, 200));
    malformed(() => toAuthResult({ result: 'waiting', status: 'x' }, 200));
  });
});
