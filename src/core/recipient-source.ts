// Where a plan's rows come from: a header and the rows with their line numbers. src/csv reads CSV
// files (and piped input) into this; planning only sees rows.

export type CsvRow =
  | { line: number; values: string[]; error?: undefined }
  /** A row broken on its own (ragged, a bad quote within one line): it becomes a malformed_row rejection. */
  | { line: number; error: string; raw: string };

export interface RecipientSource {
  /** What to show and store as the source (the file's name, or "stdin"). */
  name: string;
  headers: string[];
  rows: AsyncIterable<CsvRow>;
  /** sha256 (hex) of the input's bytes: the same file read twice gives the same hash. */
  sha256(): Promise<string>;
}
