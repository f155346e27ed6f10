import { MalformedBodyError, parseBody } from './request-body';

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
