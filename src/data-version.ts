// The version of the list of collected data, apart from the catalog so the start-up decision (which
// compares saved consent with it) does not load the whole catalog.
export const DATA_VERSION = 1;

export const DATA_CHANGES: ReadonlyArray<{ version: number; summary: string }> = [
  { version: 1, summary: 'first release: hardware resource, memory, ML training/inference spans and metrics, redacted errors' },
];
