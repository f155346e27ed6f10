import { StreamLanguage, type StreamParser } from '@codemirror/language';

/** The variables an expression may use somewhere (which ones depends on where it sits). */
const VARIABLES = new Set(['event', 'trigger', 'batch', 'events']);

interface CelState {
  /** The last token was `.`: the next identifier is a field or method. */
  afterDot: boolean;
  /** Inside a triple-quoted string that spans lines: its closing quotes. */
  openQuote: string | undefined;
}

/**
 * Colours for CEL: the tokens of its grammar (strings in all their quotings, numbers, `true`,
 * `false`, `null`, `in`, operators), variables, fields and functions. Only for colour: whether an
 * expression is valid is the API's to say (`POST /api/triggers/validate`), with the server's own
 * CEL implementation, so the console never disagrees with what saving would answer.
 */
export const celStreamParser: StreamParser<CelState> = {
  name: 'cel',
  startState: () => ({ afterDot: false, openQuote: undefined }),
  token(stream, state) {
    if (state.openQuote) {
      const quote = state.openQuote;
      while (!stream.eol()) {
        if (stream.match(quote)) {
          state.openQuote = undefined;
          return 'string';
        }
        if (stream.next() === '\\') stream.next();
      }
      return 'string';
    }
    if (stream.eatSpace()) return null;
    const afterDot = state.afterDot;
    state.afterDot = false;
    if (stream.match('//')) {
      stream.skipToEnd();
      return 'comment';
    }
    const triple = stream.match(/^[rRbB]{0,2}("""|''')/) as RegExpMatchArray | null;
    if (triple) {
      state.openQuote = triple[1];
      return this.token(stream, state);
    }
    if (stream.match(/^[rRbB]{0,2}("(?:[^"\\\n]|\\.)*"?|'(?:[^'\\\n]|\\.)*'?)/)) return 'string';
    if (
      stream.match(
        /^(0x[0-9a-fA-F]+u?|\d+\.\d+([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|\d+[eE][+-]?\d+|\d+u?)/,
      )
    ) {
      return 'number';
    }
    if (stream.match(/^[A-Za-z_][A-Za-z0-9_]*/)) {
      const word = stream.current();
      if (!afterDot && (word === 'true' || word === 'false' || word === 'null')) return 'atom';
      if (!afterDot && word === 'in') return 'keyword';
      if (stream.peek() === '(') return 'variableName.function';
      if (afterDot) return 'propertyName';
      return VARIABLES.has(word) ? 'variableName.special' : 'variableName';
    }
    if (stream.match(/^(==|!=|<=|>=|&&|\|\||[-+*/%<>!?:])/)) return 'operator';
    if (stream.eat('.')) {
      state.afterDot = true;
      return 'punctuation';
    }
    if (stream.match(/^[()[\]{},]/)) return 'punctuation';
    stream.next();
    return 'invalid';
  },
  languageData: { closeBrackets: { brackets: ['(', '[', '{', "'", '"'] } },
};

export const celLanguage = StreamLanguage.define(celStreamParser);
