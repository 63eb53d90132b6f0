/**
 * The flags that say how specs are read, shared by `metricops compile`, `validate` and `sync`, under metricops' and
 * Sloth's names (`sloth generate` users keep theirs). Cheap to import (commander's types only): the CLI registers them
 * at start-up; spec-options.ts checks them when a command runs.
 */
import type { Command } from 'commander';

export interface SpecFlags {
  defaultWindow?: string;
  defaultSloPeriod?: string;
  sloPeriodWindowsPath?: string;
  minEvents?: string;
  sloPlugins?: string[];
  disableDefaultSloPlugins?: boolean;
}

export function addSpecOptions(command: Command): Command {
  return command
    .option('--default-window <duration>', 'SLO period for specs that give none (Sloth and OpenSLO v1alpha specs); default 30d')
    .option('--default-slo-period <duration>', "Sloth's name for --default-window")
    .option('--slo-period-windows-path <dir>', "folder of Sloth AlertWindows files (kind: AlertWindows): the SLO periods allowed and their alert windows, replacing the SRE workbook's (as in Sloth)")
    .option('--min-events <count>', "page and ticket alerts fire only while their long window saw at least this many events, and a no-traffic alert is added; for SLOs whose spec sets none (Sloth, OpenSLO)")
    .option('--slo-plugins <json>', `an SLO plugin for every SLO, as in Sloth: '{"id": "sloth.dev/contrib/rule_intervals/v1", "priority": 0, "config": {...}}' (repeatable)`, collect, [])
    .option('--disable-default-slo-plugins', "leave Sloth's default plugins (validate, SLI, metadata and alert rules) out of every chain, as in Sloth");
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
