import { readOnlyQueryProblem, scanSqlQuery } from './sql-query';

const problem = (query: string) => readOnlyQueryProblem(scanSqlQuery(query));

describe('scanSqlQuery', () => {
  it('finds the first keyword and the parameters outside literals, names and comments', () => {
    const query = `-- recent orders; $9 here is a comment
      WITH recent AS (SELECT * FROM "order;s" WHERE note <> 'it''s $2;' AND body <> $tag$ ; $3 $tag$)
      /* a /* nested */ comment ; $4 */
      SELECT * FROM recent WHERE id > $1 AND e <> E'\\'; $5';`;
    expect(scanSqlQuery(query)).toEqual({
      firstKeyword: 'with',
      parameters: [1],
      statementEnd: query.length - 1,
    });
    expect(problem(query)).toBeUndefined();
  });

  it('accepts a trailing semicolon followed by comments only', () => {
    expect(problem('SELECT 1; -- done\n;')).toBeUndefined();
    expect(problem('VALUES (1)')).toBeUndefined();
    expect(problem('TABLE orders')).toBeUndefined();
  });

  it('refuses a second statement, writes and unterminated text', () => {
    expect(problem('SELECT * FROM orders; DROP TABLE orders')).toBe(
      'must be a single statement: nothing but comments may follow the ";"',
    );
    expect(problem('INSERT INTO orders VALUES (1) RETURNING *')).toBe(
      'must be a read-only query starting with SELECT, WITH, VALUES or TABLE, not INSERT',
    );
    expect(problem("SELECT 'open")).toBe('has a string literal that is never closed');
    expect(problem('SELECT 1 /* open')).toBe('has a /* comment that is never closed');
    expect(problem('SELECT $x$ open')).toBe('has a $x$-quoted string that is never closed');
    expect(problem('  -- nothing\n')).toBe('must contain a query, like "SELECT * FROM orders"');
  });
});
