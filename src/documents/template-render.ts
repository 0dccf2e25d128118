import Docxtemplater from 'docxtemplater';
import InspectModule from 'docxtemplater/js/inspect-module.js';
import PizZip from 'pizzip';
import { DocumentKind, KIND_FIELDS } from './document-kinds';

export interface TemplateProblem {
  field: string;
  reason: string;
}

/** A template that cannot be used: not a DOCX, broken tags, or fields its kind does not have. */
export class TemplateError extends Error {
  constructor(
    message: string,
    readonly problems: TemplateProblem[],
  ) {
    super(message);
  }
}

/** `a.b.c` walks the scope; `.` is the loop item itself. Undefined lets docxtemplater try the enclosing scopes. */
function dottedParser(tag: string) {
  const path = tag.trim();
  return {
    get(scope: unknown): unknown {
      if (path === '.' || path === '') return scope;
      let v: unknown = scope;
      for (const k of path.split('.')) {
        if (v === null || v === undefined || typeof v !== 'object') return undefined;
        v = (v as Record<string, unknown>)[k];
      }
      return v;
    },
  };
}

const MAX_PROBLEMS = 20;

function open(content: Buffer, modules: object[] = []): Docxtemplater {
  let zip: PizZip;
  try {
    zip = new PizZip(content);
  } catch (err) {
    throw new TemplateError('The file is not a Word document (.docx)', [{ field: 'file', reason: `is not a DOCX (ZIP) file: ${(err as Error).message}` }]);
  }
  if (!zip.file('word/document.xml')) {
    throw new TemplateError('The file is not a Word document (.docx)', [{ field: 'file', reason: 'has no word/document.xml part: not a Word document' }]);
  }
  try {
    return new Docxtemplater(zip, {
      paragraphLoop: true,
      linebreaks: true,
      parser: dottedParser,
      nullGetter: () => '',
      modules: modules as never,
    });
  } catch (err) {
    throw templateErrorFrom(err);
  }
}

/** docxtemplater's errors (a MultiError of tag problems, or one) as problems naming the tag and the part. */
function templateErrorFrom(err: unknown): TemplateError {
  if (err instanceof TemplateError) return err;
  const e = err as { message?: string; properties?: { errors?: unknown[]; explanation?: string; xtag?: string; file?: string; id?: string } };
  const list = (e.properties?.errors ?? [err]) as { message?: string; properties?: { explanation?: string; xtag?: string; file?: string; id?: string } }[];
  const problems = list.slice(0, MAX_PROBLEMS).map((x) => ({
    field: x.properties?.xtag ? `tag:${x.properties.xtag}` : `part:${x.properties?.file ?? 'word/document.xml'}`,
    reason: `${x.properties?.explanation ?? x.message ?? 'cannot be read'}${x.properties?.file ? ` (in ${x.properties.file})` : ''}`,
  }));
  return new TemplateError('The template cannot be rendered', problems);
}

/** Every tag a template uses, as field paths (`measures.employer` for `employer` inside `{#measures}`). */
function usedFields(tags: Record<string, unknown>, ancestors: string[] = []): { tag: string; ancestors: string[] }[] {
  const out: { tag: string; ancestors: string[] }[] = [];
  for (const [tag, inner] of Object.entries(tags)) {
    out.push({ tag, ancestors });
    if (inner && typeof inner === 'object' && Object.keys(inner).length) out.push(...usedFields(inner as Record<string, unknown>, [...ancestors, tag]));
  }
  return out;
}

/**
 * Check a template of a kind before it is stored or used: it must open as a DOCX, its tags
 * must parse, and every field must be one its kind provides. Returns the fields it uses.
 */
export function inspectTemplate(kind: DocumentKind, content: Buffer): { fields: string[] } {
  const inspect = new InspectModule();
  open(content, [inspect]);
  const allowed = new Set(KIND_FIELDS[kind]);
  const fields = new Set<string>();
  const unknown: TemplateProblem[] = [];
  for (const { tag, ancestors } of usedFields(inspect.getAllTags())) {
    const t = tag.trim();
    if (t === '.' || t === '') continue;
    const candidates = [t, ...ancestors.map((a) => `${a}.${t}`)];
    const hit = candidates.find((c) => allowed.has(c));
    if (hit) fields.add(hit);
    else unknown.push({ field: `tag:${t}`, reason: `is not a field of a ${kind} template (fields: ${[...allowed].join(', ')})` });
  }
  if (unknown.length) throw new TemplateError(`The template uses ${unknown.length === 1 ? 'a field' : 'fields'} a ${kind} does not have`, unknown.slice(0, MAX_PROBLEMS));
  return { fields: [...fields].sort() };
}

/** Fill a template with the data (checked first, so an unknown field is a TemplateError, never a blank). */
export function renderTemplate(kind: DocumentKind, content: Buffer, data: Record<string, unknown>): Buffer {
  inspectTemplate(kind, content);
  const doc = open(content);
  try {
    doc.render(data);
  } catch (err) {
    throw templateErrorFrom(err);
  }
  return doc.getZip().generate({ type: 'nodebuffer', compression: 'DEFLATE' }) as Buffer;
}

/** The document's text (paragraphs joined), for previews and tests. */
export function docxText(content: Buffer): string {
  return open(content).getFullText();
}
