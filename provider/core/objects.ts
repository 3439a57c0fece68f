/** Small helpers on plain objects, shared by every layer. */

/** The object without its undefined members (protobuf Structs and JSON bodies cannot carry them). */
export function defined<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
