/** Attachment media types by which the hooks tell the conformance report about a scenario. */
export const mediaTypes = {
  /** JSON AdapterDescription plus backendProvider: who is under test, on what (once per worker). */
  adapter: 'application/vnd.lbspec.adapter+json',
  /** JSON { adapter, missing, reasons }: the scenario was skipped as unsupported. */
  unsupported: 'application/vnd.lbspec.unsupported+json',
  /** Text: why a scenario was skipped, not run here (e.g. a program it needs is not installed). */
  notRun: 'text/vnd.lbspec.not-run',
  /** JSON Suggestion[]: the mistakes whose signature fits what a failed scenario measured. */
  diagnosis: 'application/vnd.lbspec.diagnosis+json',
  /** A chart of what a check saw. */
  svg: 'image/svg+xml',
} as const;
