import type { FieldPath } from '../../common/field-path.js';

/** A problem inside one document, before it is placed in its file (line and column come later, only when needed). */
export interface DocumentIssue {
  path: FieldPath;
  message: string;
  /** Offset of the problem inside the string value at `path` (e.g. a PromQL syntax error), to point at its column. */
  valueOffset?: number;
  /** Point at the key of the last path segment rather than its value (unknown fields). */
  atKey?: boolean;
}
