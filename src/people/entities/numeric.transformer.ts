import type { ValueTransformer } from 'typeorm';

/** Postgres numeric arrives as text ('0.50'); the API speaks numbers. Two-decimal values round-trip exactly. */
export const numeric: ValueTransformer = {
  to: (v: number | null | undefined) => v,
  from: (v: string | null) => (v === null || v === undefined ? v : Number(v)),
};
