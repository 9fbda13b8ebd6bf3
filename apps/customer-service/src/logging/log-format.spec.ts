import { usePrettyLogs } from './log-format';

describe('usePrettyLogs', () => {
  it.each([
    ['auto', true, true],
    ['auto', false, false],
    ['json', true, false],
    ['pretty', false, true],
  ] as const)('LOG_FORMAT=%s with stdout a TTY: %p → pretty: %p', (format, tty, pretty) => {
    expect(usePrettyLogs(format, tty)).toBe(pretty);
  });
});
