import type { z } from 'zod';
import type { InputIssue } from '../../common/errors.js';
import { formatFieldPath } from '../../common/field-path.js';

/** Every zod issue as an InputIssue located in `source` (path as users read it: alerts[0].labels.slo), none lost. */
export function issuesFromZod(error: z.ZodError, source: string, prefix: ReadonlyArray<string | number> = []): InputIssue[] {
  return error.issues.map((issue) => {
    const path = formatFieldPath([...prefix, ...(issue.path as Array<string | number>)]);
    return path === '' ? { source, message: issue.message } : { source, path, message: issue.message };
  });
}
