/** `doctor`: checks of configuration, Entra, F&O, Salesforce, the proxy and the package (docs/runbook.md). */
export { createCalloutRecorder, type CalloutRecorder } from './callouts.js';
export { configErrorChecks } from './configuration.js';
export { flowFieldUse, type FieldUse } from './flow-fields.js';
export { renderReport } from './render.js';
export { CHECK_GROUPS, checks, type CheckResult, type DoctorReport } from './report.js';
export { runDoctor, type DoctorDeps } from './run.js';
