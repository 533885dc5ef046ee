/** Decisions shown per page of the history. */
export const PAGE_SIZE = 25;
