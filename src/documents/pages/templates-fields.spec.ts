import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DocumentKind } from '../document-kinds';
import { defaultTemplatesDir } from '../documents.service';
import { templateFieldUses } from './templates-fields';

const shipped = (kind: DocumentKind) => readFileSync(join(defaultTemplatesDir(), `${kind}.docx`));

describe('templateFieldUses', () => {
  it('reads values, loops with their inner fields, and conditions from the reg. 13 template', () => {
    const uses = Object.fromEntries(templateFieldUses(DocumentKind.Reg13Information, shipped(DocumentKind.Reg13Information)).map((u) => [u.field, u.uses]));
    expect(uses['representatives']).toEqual(['loop']);
    expect(uses['representatives.name']).toEqual(['value']);
    expect(uses['hasMeasures'].sort()).toEqual(['condition', 'inverted condition']);
    expect(uses['implications.legal']).toEqual(['value']);
  });

  it('lists only fields the transfer letter kind supplies, conditions among them', () => {
    const uses = templateFieldUses(DocumentKind.TransferLetter, shipped(DocumentKind.TransferLetter));
    expect(uses.map((u) => u.field)).toContain('employee.name');
    expect(uses.find((u) => u.field === 'isTupe')?.uses).toEqual(['condition']);
  });
});
