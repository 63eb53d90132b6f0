import { isRemote } from '../../../feedback-pipeline/git-target.js';

describe('isRemote', () => {
  test.each([
    ['an https URL', 'https://github.com/acme/gitops.git', true],
    ['an https URL without .git', 'https://git.example/acme/audit', true],
    ['an ssh URL', 'ssh://git@git.example:22/acme/audit.git', true],
    ['a file URL', 'file:///srv/git/audit', true],
    ['an scp-style address', 'git@github.com:acme/gitops.git', true],
    ['a path to a bare repository', '/srv/git/audit.git', true],
    ['a relative path to a bare repository', 'remotes/audit.git/', true],
    ['a local working directory', '/var/lib/metricops/audit-log', false],
    ['a relative working directory', 'metricops-data/audit-log', false],
    ['a path with @ but no colon', '/data/user@host/audit', false],
  ])('%s', (_description, location, remote) => {
    expect(isRemote(location)).toBe(remote);
  });
});
