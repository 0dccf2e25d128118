import Docxtemplater from 'docxtemplater';
import InspectModule from 'docxtemplater/js/inspect-module.js';
import PizZip from 'pizzip';
import { DocumentKind, KIND_FIELDS } from '../document-kinds';

/** How a template uses a field: a value put in, a loop over a list, a condition (shown when true, or when false/empty). */
export type FieldUse = 'value' | 'loop' | 'condition' | 'inverted condition';

export const FIELD_USE_LABEL: Record<FieldUse, string> = {
  value: 'Value',
  loop: 'Loop (repeated for each)',
  condition: 'Condition (shown when true)',
  'inverted condition': 'Condition (shown when false or empty)',
};

export interface TemplateFieldUse {
  field: string;
  uses: FieldUse[];
}

interface StructuredTag {
  type: string;
  module?: string;
  value?: string;
  inverted?: boolean;
  subparsed?: StructuredTag[];
}

/**
 * The fields a stored template version uses, read from its DOCX with docxtemplater's inspect
 * module: each as the product's field path (`measures.employer` inside `{#measures}`), with how it
 * is used. A section tag over a field the product supplies as a list (it has `field.x` children)
 * is a loop; any other section is a condition. Only for versions already accepted on upload.
 */
export function templateFieldUses(kind: DocumentKind, content: Buffer): TemplateFieldUse[] {
  const inspect = new InspectModule();
  new Docxtemplater(new PizZip(content), { paragraphLoop: true, linebreaks: true, modules: [inspect as never] });
  const allowed = new Set(KIND_FIELDS[kind]);
  const isList = (f: string) => KIND_FIELDS[kind].some((k) => k.startsWith(`${f}.`));
  const found = new Map<string, Set<FieldUse>>();
  const walk = (tags: StructuredTag[], ancestors: string[]) => {
    for (const t of tags) {
      if (t.type !== 'placeholder' || !t.value) continue;
      const tag = t.value.trim();
      const candidates = [...ancestors.map((a) => `${a}.${tag}`).reverse(), tag];
      const field = candidates.find((c) => allowed.has(c)) ?? tag;
      const use: FieldUse = t.module === 'loop' ? (t.inverted ? 'inverted condition' : isList(field) ? 'loop' : 'condition') : 'value';
      if (tag !== '.') {
        const set = found.get(field) ?? new Set<FieldUse>();
        set.add(use);
        found.set(field, set);
      }
      if (t.subparsed?.length) walk(t.subparsed, use === 'loop' ? [...ancestors, field] : ancestors);
    }
  };
  walk(inspect.getAllStructuredTags() as StructuredTag[], []);
  return [...found.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([field, uses]) => ({ field, uses: [...uses] }));
}
