import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { ApiException } from '../common/errors/api-error';
import { flattenValidationErrors } from '../common/errors/validation';
import { FormErrors, formErrors } from './page-context';

type Ctor<T> = new () => T;

/** Form fields that are not data: the CSRF token and the pressed button's name. */
const NOT_DATA = new Set(['_csrf', 'action']);

/** An HTML form's fields: text as typed (trimmed), empty fields left out, repeated fields as arrays. */
export function formFields(body: unknown): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  if (!body || typeof body !== 'object') return out;
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
    if (NOT_DATA.has(k)) continue;
    if (Array.isArray(v)) out[k] = v.map(String).map((s) => s.trim());
    else if (v !== undefined && v !== null && String(v).trim() !== '') out[k] = String(v).trim();
  }
  return out;
}

/**
 * Validate a page form with the same DTO the JSON API uses. On failure: the GOV.UK error summary
 * and inline messages (`labels` names each field as its label does).
 */
export async function readForm<T extends object>(
  cls: Ctor<T>,
  fields: Record<string, unknown>,
  labels: Record<string, string> = {},
): Promise<{ value: T; errors?: undefined } | { value?: undefined; errors: FormErrors }> {
  const value = plainToInstance(cls, fields, { enableImplicitConversion: false });
  const errs = await validate(value, { whitelist: true, forbidNonWhitelisted: false, stopAtFirstError: true });
  if (errs.length) return { errors: formErrors(ApiException.validation(flattenValidationErrors(errs)), labels) };
  return { value };
}

/** Errors for one field, written by the page itself (e.g. "Enter your email address"). */
export function fieldError(field: string, text: string, status = 400): FormErrors {
  return { errorList: [{ text, href: `#${field}` }], fields: { [field]: { text } }, stale: false, status };
}
