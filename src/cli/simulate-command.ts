import { writeFileSync } from 'node:fs';
import { ValidationError } from '../errors.js';
import { sweepChart } from '../simulate/chart.js';
import { formatReport } from '../simulate/report.js';
import { type SimulationReport, simulate } from '../simulate/simulate.js';
import { UsageError } from './args.js';
import { parseSimulate, SIMULATE_FLAGS, SIMULATE_USAGE } from './simulate-args.js';

/**
 * `stream-framework simulate`: runs the capacity simulator with the flags' options and prints
 * its table (or JSON with `--json`); `--chart` writes the pushBias sweep as SVG. Resolves to the
 * exit code. A bad flag throws {@link UsageError} naming it, before any work.
 */
export async function runSimulate(argv: readonly string[]): Promise<number> {
  const command = parseSimulate(argv);
  if (command.help) {
    console.log(SIMULATE_USAGE);
    return 0;
  }
  if (command.chart !== undefined && command.sweep.length < 2) {
    throw new UsageError('--sweep needs at least two pushBias values for a chart', SIMULATE_USAGE);
  }
  let report: SimulationReport;
  try {
    report = simulate(command.options, {
      sweep: command.chart === undefined ? [] : command.sweep,
    });
  } catch (error) {
    if (error instanceof ValidationError) throw new UsageError(asFlag(error), SIMULATE_USAGE);
    throw error;
  }
  if (command.chart !== undefined) {
    writeFileSync(command.chart, sweepChart(report.sweep, chartTitle(report)));
  }
  console.log(command.json ? JSON.stringify(report, jsonNumbers, 2) : formatReport(report));
  if (command.chart !== undefined && !command.json) console.log(`chart: ${command.chart}`);
  return 0;
}

/** The error's message with the option's name replaced by its flag. */
function asFlag(error: ValidationError): string {
  const match = /^simulate: (sweep: |policy: )?(\S+)/.exec(error.message);
  if (match === null) return error.message;
  if (match[1] === 'sweep: ') return error.message.replace(match[0], 'every --sweep value');
  const option = match[1] === 'policy: ' ? `policy.${match[2]}` : match[2];
  const flag = Object.entries(SIMULATE_FLAGS).find(([, name]) => name === option)?.[0];
  return flag === undefined ? error.message : error.message.replace(match[0], `--${flag}`);
}

function chartTitle(report: SimulationReport): string {
  const o = report.options;
  return `hybrid vs pure push, ${o.users.toLocaleString('en')} users, Zipf s=${o.zipfExponent}`;
}

/** JSON has no Infinity: policy limits set to Infinity are written as the string "Infinity". */
function jsonNumbers(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? String(value) : value;
}
