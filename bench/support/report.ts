import type { MachineInfo } from './machine';
import type { ScenarioResult } from './result';

export interface BenchReport {
  startedAt: string;
  machine: MachineInfo;
  scenarios: ScenarioResult[];
}

/** The report as a markdown table (plus the machine and skipped scenarios). */
export function markdownReport(report: BenchReport): string {
  const { machine } = report;
  const lines = [
    `# Flint benchmark ${report.startedAt}`,
    '',
    `Machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryMb} MB, Node ${machine.node} (${machine.platform}), load average at start ${machine.loadAverageAtStart.join(' / ')}.`,
    '',
    '| scenario | metric | value | unit | goal | met | note |',
    '| --- | --- | ---: | --- | --- | --- | --- |',
  ];
  for (const scenario of report.scenarios) {
    if (scenario.skipped) {
      lines.push(`| ${scenario.name} | skipped | | | | | ${cell(scenario.skipped)} |`);
      continue;
    }
    for (const m of scenario.measurements) {
      const met = m.met === undefined ? '' : m.met ? 'yes' : '**no**';
      const value = Number.isNaN(m.value) ? 'n/a' : String(m.value);
      lines.push(
        `| ${m.scenario} | ${cell(m.metric)} | ${value} | ${m.unit} | ${m.goal ?? ''} | ${met} | ${cell(m.note ?? '')} |`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
