// java.util.Properties syntax as zoo.cfg uses it: separators, comments, continuation, escapes.
// Counterpart: java.util.Properties.load (what QuorumPeerConfig.parse calls).

import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../server/config/config-error.js';
import { parseProperties } from '../../../../server/config/properties.js';
import { configError } from './expect-config-error.js';


describe('parseProperties (java.util.Properties syntax)', () => {
  it.each<[string, string, [string, string][]]>([
    ['key=value', 'a=b', [['a', 'b']]],
    ['key: value', 'a: b', [['a', 'b']]],
    ['key value (whitespace separator)', 'a   b', [['a', 'b']]],
    ['spaces around =', '  a  =  b', [['a', 'b']]],
    ['only the first separator splits', 'a=b=c:d', [['a', 'b=c:d']]],
    ['whitespace then separator', 'a = : b', [['a', ': b']]],
    ['key with no value', 'lonely', [['lonely', '']]],
    ['# and ! comments, blank lines', '# c\n! c\n\n   \n  # indented\na=1', [['a', '1']]],
    ['CRLF and CR line ends', 'a=1\r\nb=2\rc=3', [['a', '1'], ['b', '2'], ['c', '3']]],
    ['continuation drops the next line\'s indent', 'a=one,\\\n    two,\\\n  three', [['a', 'one,two,three']]],
    ['even backslashes do not continue', 'a=x\\\\\nb=y', [['a', 'x\\'], ['b', 'y']]],
    ['continued line is not a comment', 'a=1\\\n#2', [['a', '1#2']]],
    ['escapes', 'a=t\\tn\\nu\\u0041x\\q', [['a', 't\tn\nuAxq']]],
    ['escaped separator in key', 'a\\=b=c', [['a=b', 'c']]],
    ['backslash path gotcha (as in Java)', 'dataDir=C:\\zk\\data', [['dataDir', 'C:zkdata']]],
    ['BOM', '\uFEFFa=1', [['a', '1']]],
  ])('%s', (_name, text, expected) => {
    expect(parseProperties(text).map((e) => [e.key, e.value])).toEqual(expected);
  });

  it('records the line an entry starts on', () => {
    expect(parseProperties('# x\n\na=1\\\n 2\nb=3').map((e) => e.line)).toEqual([3, 5]);
  });

  it('rejects a malformed \\u escape', () => {
    const err = configError(() => parseProperties('a=1\nb=\\u12G4', 'zoo.cfg'));
    expect(err.message).toBe("zoo.cfg:2: malformed \\uXXXX escape '\\u12G4'");
  });
});
