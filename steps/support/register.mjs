// Loaded first by cucumber (see cucumber.mjs): lets every step and support file be TypeScript,
// in the main process and in --parallel workers alike.
import { register } from 'tsx/esm/api';

register();
