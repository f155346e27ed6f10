/**
 * `class PaymentDeclinedError extends Error {}` inherits `name === 'Error'` from Error.prototype, so
 * the name alone would record every such error as `Error` and `errorTypes: [PaymentDeclinedError]`
 * would never match. A `name` the error or one of its classes set wins; else the constructor's name.
 */
export function errorType(err: Error): string {
  if (err.name && err.name !== 'Error') return err.name;
  if (namesItself(err)) return 'Error';
  const className = (err.constructor as { name?: unknown } | undefined)?.name;
  return typeof className === 'string' && className !== '' ? className : 'Error';
}

/** Whether `name` was set on the error or a class of its own rather than inherited from Error. */
function namesItself(err: Error): boolean {
  for (
    let o: object | null = err;
    o !== null && o !== Error.prototype;
    o = Object.getPrototypeOf(o)
  ) {
    if (Object.prototype.hasOwnProperty.call(o, 'name')) return true;
  }
  return false;
}
