import { describe, expect, it } from 'vitest';

import { csvField, toCsv, toTsv } from './csv';

describe('CSV', () => {
  it('quotes commas, quotes and newlines, doubling quotes', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(null)).toBe('');
    expect(csvField(1.5)).toBe('1.5');
    expect(csvField(-3)).toBe('-3');
  });

  it('defuses spreadsheet formulas in text cells only', () => {
    expect(csvField('=HYPERLINK("http://x")')).toBe('"\'=HYPERLINK(""http://x"")"');
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('=1+1', false)).toBe('=1+1');
  });

  it('builds a whole table with CRLF line ends', () => {
    const csv = toCsv(['month', 'revenue'], [['2025-01-01', 86796.2], ['2025-02-01', null]]);
    expect(csv).toBe('month,revenue\r\n2025-01-01,86796.2\r\n2025-02-01,\r\n');
  });

  it('makes TSV for the clipboard without tabs or newlines inside cells', () => {
    expect(toTsv(['a', 'b'], [['x\ty', 'line\nbreak'], [1, null]])).toBe('a\tb\nx y\tline break\n1\t');
    expect(toTsv(null, [[1, 2]])).toBe('1\t2');
  });
});
