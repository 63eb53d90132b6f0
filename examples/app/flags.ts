import { InvalidArgumentError } from 'commander';

export function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new InvalidArgumentError(`"${value}" is not a port: use a whole number from 1 to 65535`);
  return port;
}

export function parseRatio(value: string): number {
  const ratio = Number(value);
  if (value.trim() === '' || !Number.isFinite(ratio) || ratio < 0 || ratio > 1) throw new InvalidArgumentError(`"${value}" is not a share: use a number from 0 to 1, e.g. 0.5`);
  return ratio;
}

export function parsePositive(value: string): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number <= 0) throw new InvalidArgumentError(`"${value}" is not a positive number`);
  return number;
}
