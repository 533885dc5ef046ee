/**
 * The server's types as they arrive in the browser: the API answers JSON, so every `Date` of a
 * server type is an ISO 8601 string here. The UI imports the server's types (type-only, erased by
 * the build) and reads them through `Wire<T>`.
 */
export type Wire<T> = T extends Date
  ? string
  : T extends (infer U)[]
    ? Wire<U>[]
    : T extends readonly (infer U)[]
      ? readonly Wire<U>[]
      : T extends object
        ? { [K in keyof T]: Wire<T[K]> }
        : T;
