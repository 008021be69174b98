#!/usr/bin/env -S node --max-semi-space-size=16
// Runs the TypeScript reference balancer without a build step (the node flag: see
// harness/adapters/reference.ts).
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
