/**
 * `fo-bridge <command> [options]` → the command's exit code.
 * Exit codes: 0 ok, 64 unknown command or no command (EX_USAGE); each command documents its own.
 */
import { COMMANDS, type CliIo } from './commands.js';

export const EX_USAGE = 64;

export function overview(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `usage: fo-bridge <command> [options]

Commands:
${lines.join('\n')}

fo-bridge <command> --help shows a command's options.`;
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.err(overview());
    return EX_USAGE;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.out(overview());
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.err(
      `fo-bridge: unknown command "${name}" (commands: ${Object.keys(COMMANDS).join(', ')}); see fo-bridge --help`,
    );
    return EX_USAGE;
  }
  return command.run(rest, io);
}
