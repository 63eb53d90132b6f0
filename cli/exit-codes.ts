export const ExitCode = {
  ok: 0,
  invalidInput: 1,
  usage: 2,
} as const;
