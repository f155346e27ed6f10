import { formatScalar, parseInteger, parseNumber, parseScalar, type Scalar } from './scalar';

describe('scalars typed into a field', () => {
  it('read numbers, booleans and null as such, and anything else as text', () => {
    expect(parseScalar('42')).toBe(42);
    expect(parseScalar('-1.5e3')).toBe(-1500);
    expect(parseScalar('true')).toBe(true);
    expect(parseScalar('null')).toBeNull();
    expect(parseScalar('main')).toBe('main');
    expect(parseScalar('"42"')).toBe('42');
    expect(parseScalar('refs/heads/main')).toBe('refs/heads/main');
    expect(parseScalar('042')).toBe('042');
  });

  it('are written so that they read back as the same value', () => {
    const values: Scalar[] = [
      'main',
      '42',
      'true',
      'null',
      '',
      ' padded',
      '"quoted"',
      7,
      0.5,
      false,
      null,
    ];
    for (const value of values) expect(parseScalar(formatScalar(value))).toEqual(value);
    expect(formatScalar('main')).toBe('main');
    expect(formatScalar('42')).toBe('"42"');
  });

  it('keep what is not a number as text, so validation can name it', () => {
    expect(parseInteger(' 12 ')).toBe(12);
    expect(parseInteger('')).toBeUndefined();
    expect(parseInteger('1.5')).toBe('1.5');
    expect(parseNumber('0.25')).toBe(0.25);
    expect(parseNumber('abc')).toBe('abc');
  });
});
