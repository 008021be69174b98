// cucumber loads formatters before any support code, so this shim registers TypeScript itself.
import { register } from 'tsx/esm/api';

register();
const { default: ProgressLinesFormatter } = await import('./progress-lines-formatter.ts');
export default ProgressLinesFormatter;
