import { StringStream } from '@codemirror/language';
import { celStreamParser } from './cel-language';

/** Each token of a line with the style the parser gives it. */
function tokens(line: string): Array<[string, string | null]> {
  const state = celStreamParser.startState!(2);
  const stream = new StringStream(line, 2, 2);
  const out: Array<[string, string | null]> = [];
  while (!stream.eol()) {
    const style = celStreamParser.token(stream, state);
    if (stream.current().trim() !== '') out.push([stream.current(), style]);
    stream.start = stream.pos;
  }
  return out;
}

describe('CEL highlighting', () => {
  it('tells variables, fields, functions, literals and operators apart', () => {
    expect(tokens("event.data.ref.startsWith('refs/heads/') && event.data.size >= 10")).toEqual([
      ['event', 'variableName.special'],
      ['.', 'punctuation'],
      ['data', 'propertyName'],
      ['.', 'punctuation'],
      ['ref', 'propertyName'],
      ['.', 'punctuation'],
      ['startsWith', 'variableName.function'],
      ['(', 'punctuation'],
      ["'refs/heads/'", 'string'],
      [')', 'punctuation'],
      ['&&', 'operator'],
      ['event', 'variableName.special'],
      ['.', 'punctuation'],
      ['data', 'propertyName'],
      ['.', 'punctuation'],
      ['size', 'propertyName'],
      ['>=', 'operator'],
      ['10', 'number'],
    ]);
  });

  it('knows CEL’s keywords, numbers and quotings', () => {
    expect(tokens('x in [1u, 2.5e3, 0xFF] ? true : null')).toEqual([
      ['x', 'variableName'],
      ['in', 'keyword'],
      ['[', 'punctuation'],
      ['1u', 'number'],
      [',', 'punctuation'],
      ['2.5e3', 'number'],
      [',', 'punctuation'],
      ['0xFF', 'number'],
      [']', 'punctuation'],
      ['?', 'operator'],
      ['true', 'atom'],
      [':', 'operator'],
      ['null', 'atom'],
    ]);
    expect(tokens(`r'\\d+' + b"x" + """a"""`).map(([, style]) => style)).toEqual([
      'string',
      'operator',
      'string',
      'operator',
      'string',
    ]);
    expect(tokens('a # b')).toContainEqual(['#', 'invalid']);
  });
});
