#!/usr/bin/env node
// Runs the TypeScript reference balancer without a build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
