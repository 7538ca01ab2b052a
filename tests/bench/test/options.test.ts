import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { OptionsError, parseOptions, type Options } from '../options.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const parse = (...argv: string[]) => parseOptions(argv, {}) as Options;

describe('bench options', () => {
  it('defaults to the full run of the issue: 200 sessions × 25 at 500/s, built first', () => {
    expect(parse()).toMatchObject({ quick: false, sessions: 200, participants: 25, rate: 500, burstRate: 1500, build: true, waitQuiet: true, pin: true, store: 'pglite', out: null });
  });

  it('takes values inline or as the next argument, numbers as numbers', () => {
    expect(parse('--sessions=50', '--rate', '125', '--burst-duration=2.5')).toMatchObject({ sessions: 50, rate: 125, burstDuration: 2.5 });
  });

  it('starts a quick run from the quick defaults, which explicit values override', () => {
    const quick = parse('--quick');
    expect(quick).toMatchObject({ quick: true, sessions: 4, participants: 5 });
    expect(parse('--quick', '--sessions=7')).toMatchObject({ quick: true, sessions: 7, participants: 5 });
  });

  it('has a --no- form for every yes/no option', () => {
    expect(parse('--no-build', '--no-wait-quiet', '--profile', '--no-pin')).toMatchObject({ build: false, waitQuiet: false, profile: true, pin: false });
  });

  it('splits --skip, also given twice, and refuses parts that do not exist', () => {
    expect(parse('--skip=ramp,restart').skip).toEqual(['ramp', 'restart']);
    expect(parse('--skip=ramp', '--skip', 'bare,client').skip).toEqual(['ramp', 'bare', 'client']);
    expect(() => parse('--skip=ramp,rampe')).toThrow(/--skip takes .*; got rampe/);
  });

  it('passes node flags through as one string', () => {
    expect(parse('--server-node-flags=--trace-gc --trace-gc-verbose').serverNodeFlags).toBe('--trace-gc --trace-gc-verbose');
  });

  it('takes a relative --out from the repository, wherever npm was started', () => {
    expect(parse('--out=runs/a.json').out).toBe(path.join(ROOT, 'runs/a.json'));
    expect(parse('--out=/tmp/b.json').out).toBe('/tmp/b.json');
  });

  it('answers --help with "help"', () => {
    expect(parseOptions(['--quick', '--help'], {})).toBe('help');
  });

  it('says where an option went when npm took it (no `--` before it)', () => {
    expect(() => parseOptions([], { npm_config_quick: 'true' })).toThrow(/--quick went to npm, not to the benchmark: put options after `--` \(npm run bench -- --quick\)/);
    expect(() => parseOptions([], { npm_config_build: '' })).toThrow(/\(npm run bench -- --no-build\)/);
    expect(() => parseOptions([], { npm_config_burst_rate: '10' })).toThrow(/\(npm run bench -- --burst-rate=10\)/);
    // npm's own settings are no concern of ours.
    expect(parseOptions([], { npm_config_cache: '/root/.npm' })).not.toBe('help');
  });

  it.each([
    [['--sesions=5'], /Unknown option '--sesions'/],
    [['--sessions=many'], /--sessions needs a whole number of 0 or more, got "many"/],
    [['--rate=-5'], /--rate needs a number/],
    [['--sessions= '], /--sessions needs a whole number/],
    [['--participants=2.5'], /--participants needs a whole number of 0 or more, got "2.5"/],
    [['--out='], /--out needs a file name/],
    [['--sessions'], /argument missing/],
    [['--store=mysql'], /--store is pglite or postgres, got "mysql"/],
    [['--build=false'], /does not take an argument/],
    [['200'], /positional/],
  ])('refuses %j with a message that says why', (argv, message) => {
    expect(() => parseOptions(argv, {})).toThrow(OptionsError);
    expect(() => parseOptions(argv, {})).toThrow(message);
  });
});
