import { ItemExpression, ItemExpressionError } from './item-expression';

describe('ItemExpression', () => {
  it('evaluates CEL over the item', async () => {
    const key = await ItemExpression.compile('string(item.id) + "-" + item.kind', 'itemKey');
    expect(key.evaluate({ id: 7, kind: 'order' })).toBe('7-order');
  });

  it('rejects an expression that does not compile, naming it', async () => {
    await expect(ItemExpression.compile('item.', 'itemKey')).rejects.toThrow(ItemExpressionError);
    await expect(ItemExpression.compile('item.', 'itemKey')).rejects.toThrow(
      'itemKey "item." is not a valid CEL expression: Expected IDENTIFIER, got EOF',
    );
  });

  it('reports an item the expression cannot evaluate', async () => {
    const key = await ItemExpression.compile('item.id', 'itemKey');
    expect(() => key.evaluate({ name: 'x' })).toThrow(
      '"item.id" failed on an item: No such key: id',
    );
  });
});
