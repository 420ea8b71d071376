import { parse } from 'csv-parse/sync';
import { z } from 'zod';

/** One guardian contact of a student: the student by their LMS user id (subject) or their email. */
export interface GuardianContactInput {
  student: string;
  email: string;
  name: string | null;
  /** The line of the file it came from (blank lines and quoted line breaks counted), for messages. */
  line: number;
}

export const GUARDIAN_CSV_LIMITS = { maxBytes: 512 * 1024, maxRows: 5000 } as const;

const rowSchema = z.object({
  student: z.string().trim().min(1, 'is empty').max(255),
  guardian_email: z.email('is not an email address').max(320),
  guardian_name: z.string().trim().max(200).optional(),
});

/**
 * Parses an imported contacts file: a header row with `student` (the LMS user id or the student's email),
 * `guardian_email` and optionally `guardian_name`. Returns the contacts or the problems, each naming its
 * line; a file with any problem is refused whole (an import is all or nothing).
 */
export function parseGuardianCsv(
  text: string,
): { ok: true; contacts: GuardianContactInput[] } | { ok: false; problems: string[] } {
  if (Buffer.byteLength(text) > GUARDIAN_CSV_LIMITS.maxBytes)
    return { ok: false, problems: [`the file is larger than ${GUARDIAN_CSV_LIMITS.maxBytes} bytes`] };
  let records: Array<{ record: Record<string, string>; info: { lines: number } }>;
  try {
    records = parse(text, {
      columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()),
      skip_empty_lines: true,
      bom: true,
      trim: true,
      info: true,
      // guardian_name is optional: a row may stop after the email.
      relax_column_count: true,
    });
  } catch (e) {
    return { ok: false, problems: [`not a readable CSV file: ${(e as Error).message}`] };
  }
  if (!records.length)
    return { ok: false, problems: ['no contacts in the file (a header row and one row per contact)'] };
  if (records.length > GUARDIAN_CSV_LIMITS.maxRows)
    return { ok: false, problems: [`more than ${GUARDIAN_CSV_LIMITS.maxRows} contacts`] };
  const header = Object.keys(records[0].record);
  const missing = ['student', 'guardian_email'].filter((c) => !header.includes(c));
  if (missing.length) return { ok: false, problems: missing.map((c) => `the header has no ${c} column`) };
  const problems: string[] = [];
  const contacts: GuardianContactInput[] = [];
  records.forEach(({ record, info }) => {
    const parsed = rowSchema.safeParse({
      student: record.student,
      guardian_email: record.guardian_email,
      guardian_name: record.guardian_name || undefined,
    });
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        problems.push(`line ${info.lines}: ${issue.path.join('.')} ${issue.message}`);
      return;
    }
    contacts.push({
      student: parsed.data.student,
      email: parsed.data.guardian_email.toLowerCase(),
      name: parsed.data.guardian_name || null,
      line: info.lines,
    });
  });
  return problems.length ? { ok: false, problems } : { ok: true, contacts };
}
