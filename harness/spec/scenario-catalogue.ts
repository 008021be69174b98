import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AstBuilder, compile, GherkinClassicTokenMatcher, Parser } from '@cucumber/gherkin';
import { IdGenerator } from '@cucumber/messages';

/** One scenario as cucumber runs it (an outline gives one per example row), with all its tags. */
export interface CatalogueEntry {
  readonly uri: string;
  readonly name: string;
  readonly tags: readonly string[];
}

/** Every scenario of the .feature files in `directory`, in file order. */
export function readScenarios(directory: string): CatalogueEntry[] {
  const newId = IdGenerator.incrementing();
  const parser = new Parser(new AstBuilder(newId), new GherkinClassicTokenMatcher());
  return readdirSync(directory)
    .filter((name) => name.endsWith('.feature'))
    .sort()
    .flatMap((name) => {
      const uri = join(directory, name);
      const document = parser.parse(readFileSync(uri, 'utf8'));
      return compile(document, uri, newId).map((pickle) => ({
        uri,
        name: pickle.name,
        tags: pickle.tags.map((tag) => tag.name.replace(/^@/, '')),
      }));
    });
}
