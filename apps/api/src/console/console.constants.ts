export { type ConsoleConfig } from './console-settings';

export const CONSOLE_CONFIG = Symbol('CONSOLE_CONFIG');
