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
