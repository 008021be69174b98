/**
 * Reads LBSPEC_CHARTS: "always" attaches charts to passed scenarios too, "on-failure" (the default,
 * also when unset) only to failed ones. Anything else is a mistake worth stopping for.
 */
export function chartSetting(value: string | undefined): boolean {
  if (value === undefined || value === '' || value === 'on-failure') return false;
  if (value === 'always') return true;
  throw new Error(`LBSPEC_CHARTS="${value}" is not a setting: use "always" or "on-failure" (the default)`);
}
