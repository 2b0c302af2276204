import type { CommandDefinition } from '../command.js';
import config from './config.js';
import deploy from './deploy.js';
import destroy from './destroy.js';
import diff from './diff.js';
import list from './list.js';
import synth from './synth.js';
import trace from './trace.js';
import verify from './verify.js';

/** Every command that defines itself, in the order of `tap --help`. */
export const COMMANDS: readonly CommandDefinition[] = [synth, diff, deploy, verify, trace, list, destroy, config];
