import { ESTABLISHMENT_STATUSES, SCOPES } from './establishment.constants';

/**
 * The documented header set of a posts spreadsheet, for import, export and the template.
 * Headers match case-insensitively, with spaces or hyphens for underscores.
 */
export interface PostColumn {
  key: PostColumnKey;
  required: boolean;
  description: string;
  example: string;
}

export type PostColumnKey = 'reference' | 'title' | 'organisation' | 'thematic_area' | 'grade' | 'fte' | 'establishment_status' | 'scope' | 'scope_reason';

export const POST_COLUMNS: PostColumn[] = [
  { key: 'reference', required: true, example: 'MCC-LD-001', description: 'Post reference, unique within the organisation (up to 50 letters, digits, spaces, . _ / -)' },
  { key: 'title', required: true, example: 'Commissioning Manager', description: 'Job title (up to 200 characters)' },
  { key: 'organisation', required: true, example: 'MCC', description: "Name or short name of one of the programme's source (or destination) organisations" },
  { key: 'thematic_area', required: true, example: 'Learning Disability', description: 'Name of one of the programme’s thematic areas' },
  { key: 'grade', required: true, example: 'G10', description: "Grade code on the organisation's scale (e.g. G1–G12, SMG1)" },
  { key: 'fte', required: true, example: '0.6', description: 'Full-time equivalent: more than 0, at most 1, two decimals' },
  { key: 'establishment_status', required: true, example: 'filled', description: `One of: ${ESTABLISHMENT_STATUSES.join(', ')}` },
  {
    key: 'scope',
    required: false,
    example: 'in_scope',
    description: `One of: ${SCOPES.join(', ')}. Blank: the area's default for a new post, unchanged for an existing one`,
  },
  { key: 'scope_reason', required: false, example: 'Executive report 19 October 2016', description: 'Why the post has this scope (kept in its scope history)' },
];

const ALIASES: Record<string, PostColumnKey> = {
  area: 'thematic_area',
  thematic_delivery_area: 'thematic_area',
  organization: 'organisation',
  org: 'organisation',
  status: 'establishment_status',
  grade_code: 'grade',
  post_reference: 'reference',
  job_title: 'title',
  reason: 'scope_reason',
};

/** 'Thematic area' -> 'thematic_area'; unknown headers -> null. */
export function columnKey(header: string): PostColumnKey | null {
  const norm = header.replace(/^\ufeff/, '').trim().toLowerCase().replace(/[\s-]+/g, '_');
  if (POST_COLUMNS.some((c) => c.key === norm)) return norm as PostColumnKey;
  return ALIASES[norm] ?? null;
}

/** 'In scope' / 'in-scope' / 'IN_SCOPE' -> 'in_scope'. */
export function enumValue(text: string): string {
  return text.trim().toLowerCase().replace(/[\s-]+/g, '_');
}
