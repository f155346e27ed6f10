import { MalformedBodyError, parseBody, UnprocessableBodyError } from './request-body';

describe('parseBody', () => {
  it('keeps JSON as the bytes received and parses it for checks', () => {
    const raw = Buffer.from('{ "a" : [1, 2] }');
    expect(parseBody(raw, 'application/json; charset=utf-8')).toEqual({
      data: raw,
      datacontenttype: 'application/json; charset=utf-8',
      json: { a: [1, 2] },
    });
    expect(parseBody(Buffer.from('[]'), 'application/vnd.github+json').json).toEqual([]);
  });

  it('says why malformed JSON is refused', () => {
    expect(() => parseBody(Buffer.from('{"a":'), 'application/json')).toThrow(MalformedBodyError);
    expect(() => parseBody(Buffer.from('{"a":'), 'application/json')).toThrow(
      /^the body is not valid JSON \(content type application\/json\): /,
    );
  });

  it('refuses well-formed bodies that no later step could carry, saying where', () => {
    const deep = Buffer.from(`${'['.repeat(3000)}${']'.repeat(3000)}`);
    expect(() => parseBody(deep, 'application/json')).toThrow(UnprocessableBodyError);
    expect(() => parseBody(deep, 'application/json')).toThrow(
      /^the body at \[0\].* nests deeper than 100 levels$/,
    );
    expect(() => parseBody(Buffer.from('{"kind":"a\\u0000b"}'), 'application/json')).toThrow(
      'the body at kind contains a NUL character (\\u0000)',
    );
    expect(() => parseBody(Buffer.from('a=%00'), 'application/x-www-form-urlencoded')).toThrow(
      'the body at a contains a NUL character',
    );
    expect(() => parseBody(Buffer.from([0x61, 0, 0x62]), 'text/plain')).toThrow(
      UnprocessableBodyError,
    );
    // Bytes stay bytes: a NUL in a binary body is fine.
    expect(parseBody(Buffer.from([0, 1]), 'application/octet-stream').data).toEqual(
      Buffer.from([0, 1]),
    );
  });

  it('turns a form into an object, repeated fields into arrays', () => {
    const parsed = parseBody(
      Buffer.from('a=1&b=x%20y&a=2&c='),
      'application/x-www-form-urlencoded',
    );
    expect(parsed).toEqual({
      data: { a: ['1', '2'], b: 'x y', c: '' },
      datacontenttype: 'application/json',
      json: { a: ['1', '2'], b: 'x y', c: '' },
    });
  });

  it('passes other bodies on as bytes, octet-stream when no type is given', () => {
    const raw = Buffer.from([1, 2, 3]);
    expect(parseBody(raw, 'text/csv')).toEqual({ data: raw, datacontenttype: 'text/csv' });
    expect(parseBody(raw, undefined)).toEqual({
      data: raw,
      datacontenttype: 'application/octet-stream',
    });
  });

  it('gives no data for an empty body', () => {
    expect(parseBody(Buffer.alloc(0), 'application/json')).toEqual({ data: undefined });
  });
});
