import { defineParameterType } from '@cucumber/cucumber';

defineParameterType({
  name: 'protocol',
  regexp: /HTTP|TCP/,
  transformer: (text: string) => text.toLowerCase(),
});

defineParameterType({
  name: 'algorithm',
  regexp: /[a-z][a-z0-9_]*/,
  transformer: (text: string) => text,
});

// A comma-separated list of backend ids: b3, b1, b2
defineParameterType({
  name: 'ids',
  regexp: /[A-Za-z0-9][A-Za-z0-9._-]*(?:, [A-Za-z0-9][A-Za-z0-9._-]*)*/,
  transformer: (text: string) => text.split(', '),
});

// Backends with weights: b1 (weight 5), b2 (weight 1)
defineParameterType({
  name: 'weighted',
  regexp: /[A-Za-z0-9][A-Za-z0-9._-]* \(weight \d+\)(?:, [A-Za-z0-9][A-Za-z0-9._-]* \(weight \d+\))*/,
  transformer: (text: string) =>
    text.split(', ').map((member) => {
      const [, id, weight] = /^(\S+) \(weight (\d+)\)$/.exec(member) as RegExpExecArray;
      return { id, weight: Number(weight) };
    }),
});

// HTTP statuses in order: 503, 503, 200
defineParameterType({
  name: 'statuses',
  regexp: /\d{3}(?:, \d{3})*/,
  transformer: (text: string) => text.split(', ').map(Number),
});

// Durations in ms: 300, 600 and 600 ms
defineParameterType({
  name: 'durations',
  regexp: /\d+(?:, \d+)*(?: and \d+)? ms/,
  transformer: (text: string) =>
    text
      .replace(/ ms$/, '')
      .split(/, | and /)
      .map(Number),
});

// Counts in order: 3, 1 and 1
defineParameterType({
  name: 'counts',
  regexp: /\d+(?:, \d+)*(?: and \d+)?/,
  transformer: (text: string) => text.split(/, | and /).map(Number),
});
