import { describe, expect, it } from 'vitest';
import { WeftError } from '../../../src/errors.js';
import { parseQueueUrl, redactUrl } from '../../../src/queue/url.js';
import { redisOptions } from '../../../src/queue/connect.js';

describe('parseQueueUrl', () => {
  it('reads host, port and database, with Redis defaults for what is left out', () => {
    expect(parseQueueUrl('redis://10.0.0.5:6380/2')).toMatchObject({
      host: '10.0.0.5',
      port: 6380,
      db: 2,
      tls: false,
      display: 'redis://10.0.0.5:6380/2',
    });
    expect(parseQueueUrl('redis://queue.internal')).toMatchObject({ port: 6379, db: 0 });
  });

  it('reads user and password (URL-decoded) but never shows them', () => {
    const loc = parseQueueUrl('redis://weft:p%40ss%3Aword@cache:6379/1');
    expect(loc).toMatchObject({ username: 'weft', password: 'p@ss:word', db: 1 });
    expect(loc.display).toBe('redis://cache:6379/1');
    expect(parseQueueUrl('redis://:only-pass@cache')).toMatchObject({
      username: undefined,
      password: 'only-pass',
    });
  });

  it('takes the password from WEFT_REDIS_PASSWORD when the URL has none (URLs show in ps)', () => {
    expect(parseQueueUrl('redis://weft@cache', '--worker', { WEFT_REDIS_PASSWORD: 'pw' })).toMatchObject({
      username: 'weft',
      password: 'pw',
    });
    expect(parseQueueUrl('redis://:url-pw@cache', '--worker', { WEFT_REDIS_PASSWORD: 'pw' }).password).toBe(
      'url-pw',
    );
    expect(parseQueueUrl('redis://cache', '--worker', {}).password).toBeUndefined();
  });

  it('rediss:// turns on TLS, which the client options carry as tls: {}', () => {
    const loc = parseQueueUrl('rediss://u:p@redis.example.com:6380');
    expect(loc).toMatchObject({ tls: true, display: 'rediss://redis.example.com:6380/0' });
    expect(redisOptions(loc)).toMatchObject({
      host: 'redis.example.com',
      port: 6380,
      tls: {},
      password: 'p',
    });
    expect(redisOptions(parseQueueUrl('redis://h')).tls).toBeUndefined();
  });

  it('takes IPv6 literals without their brackets', () => {
    expect(parseQueueUrl('redis://[::1]:7000')).toMatchObject({
      host: '::1',
      display: 'redis://[::1]:7000/0',
    });
  });

  it.each([
    ['http://host:6379', 'must start with redis://'],
    ['redis://host:6379/cache', "has '/cache' where a database number goes"],
    ['redis://host:6379/0?timeout=1', 'has a query'],
    ['not a url', 'is not a URL'],
  ])('refuses %s', (url, why) => {
    expect(() => parseQueueUrl(url)).toThrow(WeftError);
    expect(() => parseQueueUrl(url)).toThrow(why);
  });

  it('keeps passwords out of its error messages', () => {
    expect(() => parseQueueUrl('redis://u:s3cret@host/x', '--worker')).toThrow(
      "--worker: 'redis://u:***@host/x' has '/x' where a database number goes",
    );
    expect(redactUrl('rediss://:s3cret@h:1')).toBe('rediss://:***@h:1');
  });
});
