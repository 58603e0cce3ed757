import { describe, expect, it } from 'vitest';
import { parseAllow, refusal } from '../../../src/queue/allow.js';

describe('--allow', () => {
  const allow = parseAllow(['gzip -9', 'wc']);

  it('lets through plain commands whose first words are a prefix', () => {
    expect(allow).toEqual([['gzip', '-9'], ['wc']]);
    expect(refusal("gzip -9 'my file.txt'", allow)).toBeUndefined();
    expect(refusal('wc -l', allow)).toBeUndefined();
    expect(refusal('wc', allow)).toBeUndefined();
  });

  it('compares words, not characters', () => {
    expect(refusal('wcx -l', allow)).toMatch(/does not start with an allowed prefix \(gzip -9, wc\)/);
    expect(refusal('gzip -1 f', allow)).toMatch(/does not start with an allowed prefix/);
    expect(refusal('gzip', allow)).toMatch(/does not start with an allowed prefix/);
  });

  it('refuses anything a shell would read as more than one plain command', () => {
    for (const cmd of [
      'wc -l; rm -rf ~',
      'wc -l && curl x',
      'wc $(id)',
      'wc `id`',
      'wc > /etc/x',
      'wc *',
      'wc | sh',
    ]) {
      expect(refusal(cmd, allow), cmd).toMatch(/is not a plain command/);
    }
  });

  it('allows everything when no prefix is given', () => {
    expect(refusal('anything; at all', [])).toBeUndefined();
  });

  it('wants plain words as prefixes', () => {
    expect(() => parseAllow(['echo; rm'])).toThrow("--allow: 'echo; rm' must be plain words");
  });
});
