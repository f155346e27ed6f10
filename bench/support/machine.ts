import { cpus, totalmem, loadavg } from 'node:os';
import { megabytes } from './stats';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryMb: number;
  node: string;
  platform: string;
  loadAverageAtStart: number[];
}

export function machineInfo(): MachineInfo {
  const cores = cpus();
  return {
    cpuModel: cores[0]?.model.trim() ?? 'unknown',
    cores: cores.length,
    memoryMb: megabytes(totalmem()),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAverageAtStart: loadavg().map((load) => Math.round(load * 100) / 100),
  };
}
