// cucumber loads formatters before any support code, so this shim registers TypeScript itself.
import { register } from 'tsx/esm/api';

register();
const { default: ConformanceFormatter } = await import('./conformance-formatter.ts');
export default ConformanceFormatter;
