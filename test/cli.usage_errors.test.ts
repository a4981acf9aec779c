import { expect } from 'chai';
import { molmoactRos } from './support/cli.js';

describe('molmoact-ros with a mistake in the command line', function () {
  this.timeout(30000);

  const cases: { argv: string[]; line: RegExp }[] = [
    { argv: ['bench', '--bogus'], line: /^molmoact-ros bench: Unknown option '--bogus'/ },
    { argv: ['bench', '--steps', 'x'], line: /^molmoact-ros bench: --steps expects an integer >= 1, got 'x'/ },
    { argv: ['bench', '--soak=-1'], line: /^molmoact-ros bench: --soak expects an integer >= 0, got '-1'/ },
    { argv: ['bench', '--rate', 'fast'], line: /^molmoact-ros bench: --rate: expected a rate in Hz from 0 to 1000, got "fast"/ },
    { argv: ['sim', '--episodes', '0'], line: /^molmoact-ros sim: --episodes expects an integer >= 1, got '0'/ },
    { argv: ['sim', '--task', 'juggle'], line: /^molmoact-ros sim: unknown task kind 'juggle'/ },
    { argv: ['sim', '--camera-hz', '0'], line: /^molmoact-ros sim: --camera-hz expects a number in \[0.5, 1000\], got '0'/ },
    { argv: ['sim', '--param', 'execution_policy'], line: /^molmoact-ros sim: --param expects NAME=VALUE, got 'execution_policy'/ },
    { argv: ['sim', '--param', 'execution_policy=sometimes'], line: /^molmoact-ros sim: the command line: execution_policy: expected one of replace, open_loop, ensemble/ },
    { argv: ['dataset', '--episodes', '3'], line: /^molmoact-ros dataset: --out DIR is required/ },
    { argv: ['dataset', '--out', 'unused', '--noise', '0.5'], line: /^molmoact-ros dataset: --noise expects a number in \[0, 0\.02\), got '0\.5'/ },
    { argv: ['dataset', '--out', 'unused', '--expert-share', '2'], line: /^molmoact-ros dataset: --expert-share expects a number in \[0, 1\], got '2'/ },
  ];

  for (const { argv, line } of cases) {
    it(`${argv.join(' ')}: one line naming the mistake, exit code 2`, () => {
      const { status, stdout, stderr } = molmoactRos(...argv);
      expect(status, stderr).to.equal(2);
      const lines = stderr.trimEnd().split('\n');
      expect(lines, stderr).to.have.length(1);
      expect(lines[0]).to.match(line);
      expect(lines[0]).to.match(/\(molmoact-ros \w+ --help\)$/);
      expect(stdout).to.equal('');
    });
  }
});
