import { RetrievalsError } from '@retrievals/core-tensor';

/**
 * Applies an instruction template to a text. `{}` marks where the text goes (every `{}` is
 * replaced); a template without `{}` is a prefix. The text is always kept: open-retrievals'
 * template handling could return the instruction alone when it had no placeholder, embedding every
 * query as the same vector.
 */
export function applyInstruction(template: string | undefined, text: string): string {
  if (!template) return text;
  // split/join rather than String.replace, whose replacement string would interpret `$&` in the text
  return template.includes('{}') ? template.split('{}').join(text) : template + text;
}

/** A corpus document as BEIR and sentence-transformers' encode_corpus take it. */
export type CorpusDocument = string | { title?: string; text: string };

/**
 * title + separator + text, trimmed (sentence-transformers' encode_corpus); a string is used as is.
 * A document without a string `text` (or with a `title` that is not a string) is an error naming
 * `where`, never embedded as "title undefined".
 */
export function documentText(doc: CorpusDocument, separator = ' ', where = 'document'): string {
  if (typeof doc === 'string') return doc;
  if (typeof doc !== 'object' || doc === null) throw new RetrievalsError(`${where}: expected a string or { title?, text }, got ${doc === null ? 'null' : typeof doc}`);
  if (typeof doc.text !== 'string') throw new RetrievalsError(`${where}: field 'text' must be a string, got ${doc.text === undefined ? 'nothing (missing)' : JSON.stringify(doc.text)}`);
  if (doc.title !== undefined && doc.title !== null && typeof doc.title !== 'string') throw new RetrievalsError(`${where}: field 'title' must be a string, got ${JSON.stringify(doc.title)}`);
  return doc.title ? `${doc.title}${separator}${doc.text}`.trim() : doc.text.trim();
}

/**
 * The sentence-transformers prompt (a plain prefix) that means the same as a template, or undefined
 * when no prefix can: `{}` elsewhere than once at the very end. No template is the empty prompt.
 */
export function instructionAsPrompt(template: string | undefined): string | undefined {
  if (!template) return '';
  const parts = template.split('{}');
  if (parts.length === 1) return template;
  return parts.length === 2 && parts[1] === '' ? parts[0] : undefined;
}
