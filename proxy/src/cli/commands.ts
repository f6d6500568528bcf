/**
 * The operator commands of `fo-bridge <command>`. A command is a name, one line for the
 * overview, and a function from its arguments to an exit code; adding one (doctor, reconcile,
 * a one-off sync) is one entry here.
 */
import { FNO_TO_SALESFORCE } from '../flows/sync/registry.js';
import { runDeadLettersCli, type CliIo } from './dead-letters.js';
import { runDoctorCli } from './doctor.js';
import { runFnoFlowCli } from './fno-flow.js';
import { runReconcileCli } from './reconcile.js';

export type { CliIo };

export interface Command {
  summary: string;
  run(argv: string[], io: CliIo): Promise<number>;
}

export const COMMANDS: Record<string, Command> = {
  'dead-letters': {
    summary: 'list, show, replay or discard dead-lettered jobs (reads STORE_URL)',
    run: runDeadLettersCli,
  },
  doctor: {
    summary: 'check configuration, Entra, F&O, Salesforce field access, the store and the package (--json)',
    run: (argv, io) => runDoctorCli(argv, io),
  },
  reconcile: {
    summary: 'compare Salesforce with F&O per flow and company; --repair what is safe (--dry-run, --json)',
    run: (argv, io) => runReconcileCli(argv, io),
  },
  // One per F&O → Salesforce flow: `fo-bridge products sync …`.
  ...Object.fromEntries(
    FNO_TO_SALESFORCE.map((flow): [string, Command] => [
      flow.flow,
      { summary: `${flow.summary} (sync now; --dry-run)`, run: (argv, io) => runFnoFlowCli(flow, argv, io) },
    ]),
  ),
};
