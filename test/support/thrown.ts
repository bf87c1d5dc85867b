/**
 * What fn throws, for toMatchObject: jest's asymmetric matchers (expect.objectContaining, ...) are typed `any`,
 * which the type-checked lint of src/ refuses in unit tests.
 */
export function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected the call to throw');
}
