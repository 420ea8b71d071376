import { describe, expect, it } from 'vitest';
import { WHITEBOARD_PROTOCOL } from '../../contracts/whiteboard';
import { protocolVerdict } from './protocol-version';

describe('protocolVerdict', () => {
  it('R14: serves the current protocol, and a client without a version as protocol 1 while 1 is served', () => {
    expect(protocolVerdict(WHITEBOARD_PROTOCOL)).toBe('served');
    expect(protocolVerdict(undefined)).toBe('served');
    expect(protocolVerdict(3, { min: 2, current: 4 })).toBe('served');
  });

  it('R14: refuses a client older than the oldest served (a version below it, or none once protocol 1 is dropped)', () => {
    expect(protocolVerdict(0)).toBe('outdated');
    expect(protocolVerdict(1, { min: 2, current: 2 })).toBe('outdated');
    expect(protocolVerdict(undefined, { min: 2, current: 2 })).toBe('outdated');
  });

  it('R14: refuses a client newer than this server as unsupported, not outdated', () => {
    expect(protocolVerdict(WHITEBOARD_PROTOCOL + 1)).toBe('unsupported');
    expect(protocolVerdict(5, { min: 2, current: 4 })).toBe('unsupported');
  });
});
