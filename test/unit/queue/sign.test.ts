import { describe, expect, it } from 'vitest';
import { canonical, checkSignature, requireSecret, sign } from '../../../src/queue/sign.js';

const SECRET = 'unit-test-secret';

describe('canonical', () => {
  it('is the same text whatever order the keys come in, and leaves out undefined', () => {
    expect(canonical({ b: 1, a: { d: [1, 'x'], c: null }, u: undefined })).toBe(
      '{"a":{"c":null,"d":[1,"x"]},"b":1}',
    );
    expect(canonical({ a: { c: null, d: [1, 'x'] }, b: 1 })).toBe(
      canonical({ b: 1, a: { d: [1, 'x'], c: null } }),
    );
  });
});

describe('signatures', () => {
  const job = { v: 1, id: '3-1', command: "echo 'a b'", env: { X: '1' } };

  it('accept what was signed with the same secret, after a JSON round trip', () => {
    const body = { ...job, sig: sign(SECRET, 'job', job) };
    expect(checkSignature(SECRET, 'job', JSON.parse(JSON.stringify(body)))).toBeUndefined();
  });

  it('refuse any change to any field, an added field, another secret, or no signature', () => {
    const body = { ...job, sig: sign(SECRET, 'job', job) };
    expect(checkSignature(SECRET, 'job', { ...body, command: 'rm -rf ~' })).toMatch(/does not match/);
    expect(checkSignature(SECRET, 'job', { ...body, env: { X: '2' } })).toMatch(/does not match/);
    expect(checkSignature(SECRET, 'job', { ...body, extra: 1 })).toMatch(/does not match/);
    expect(checkSignature('another-secret', 'job', body)).toMatch(/another WEFT_SECRET/);
    expect(checkSignature(SECRET, 'job', { ...job })).toBe('the job is unsigned');
    expect(checkSignature(SECRET, 'job', { ...job, sig: 'zz' })).toMatch(/does not match/);
    expect(checkSignature(SECRET, 'job', 'a string')).toBe('the job is not an object');
  });

  it('keep jobs and results apart: a signed result is no signed job', () => {
    const body = { ...job, sig: sign(SECRET, 'result', job) };
    expect(checkSignature(SECRET, 'result', body)).toBeUndefined();
    expect(checkSignature(SECRET, 'job', body)).toMatch(/does not match/);
  });
});

describe('requireSecret', () => {
  it('returns WEFT_SECRET, and refuses to go on without it', () => {
    expect(requireSecret({ WEFT_SECRET: 's' }, '--queue')).toBe('s');
    expect(() => requireSecret({}, '--worker')).toThrow(/--worker needs the shared secret in WEFT_SECRET/);
    expect(() => requireSecret({ WEFT_SECRET: '' }, '--queue')).toThrow(
      expect.objectContaining({ code: 'E_QUEUE' }),
    );
  });
});
