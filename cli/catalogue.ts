import { join } from 'node:path';
import { allCapabilities, type Capability, capabilities } from '../harness/spec/capabilities.ts';
import { type CatalogueEntry, readScenarios } from '../harness/spec/scenario-catalogue.ts';
import { scenarioId } from '../harness/spec/scenario-id.ts';
import { isTaskTag, type TaskTag, tasks } from '../harness/spec/tasks.ts';

/** One scenario as `lbspec list` shows it. */
export interface ListedScenario {
  readonly id: string;
  readonly task: string;
  readonly capabilities: readonly Capability[];
  readonly title: string;
  readonly feature: string;
}

/** The package's scenarios with their ids, tasks and the capabilities each needs. */
export function listScenarios(featuresDirectory: string): ListedScenario[] {
  return readScenarios(featuresDirectory).map((entry: CatalogueEntry) => ({
    id: scenarioId(entry.tags) ?? '',
    task: entry.tags.find(isTaskTag) ?? '',
    // In the order the suite lists them (l7, l4, then the algorithms...), whatever the tags' order.
    capabilities: allCapabilities.filter((name) => entry.tags.includes(name)),
    title: entry.name,
    feature: entry.uri.slice(join(featuresDirectory, '/').length),
  }));
}

/** Every task with its title, its scenario count and the capabilities its scenarios need. */
export function listTasks(scenarios: readonly ListedScenario[]) {
  return (Object.keys(tasks) as TaskTag[]).map((task) => {
    const own = scenarios.filter((scenario) => scenario.task === task);
    const needed = new Set(own.flatMap((scenario) => scenario.capabilities));
    return {
      task,
      title: tasks[task],
      scenarios: own.length,
      capabilities: allCapabilities.filter((name) => needed.has(name)),
    };
  });
}

/** Every capability with its meaning and how many scenarios need it. */
export function listCapabilities(scenarios: readonly ListedScenario[]) {
  return allCapabilities.map((name) => ({
    capability: name,
    meaning: capabilities[name],
    scenarios: scenarios.filter((scenario) => scenario.capabilities.includes(name)).length,
  }));
}
