/**
 * A scenario's stable id: its `@id:<id>` tag (lower-case words joined by "-"). Reports, broken
 * balancers and graders name a scenario by it, and it survives a reworded title.
 */
const idTag = /^@?id:([a-z0-9]+(?:-[a-z0-9]+)*)$/;

/** Whether `tag` (with or without its "@") is a scenario id tag. */
export function isScenarioIdTag(tag: string): boolean {
  return idTag.test(tag);
}

/** The id among a scenario's tags, if it has one. */
export function scenarioId(tags: readonly string[]): string | undefined {
  for (const tag of tags) {
    const match = idTag.exec(tag);
    if (match) return match[1];
  }
  return undefined;
}
