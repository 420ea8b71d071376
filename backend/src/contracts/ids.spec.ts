import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isReservedId, RESERVED_ID_MESSAGE, safeId } from './ids';
import { rtpCapabilitiesSchema } from './media';
import { opSchema, WhiteboardEvents, whiteboardSchemas } from './whiteboard';

/** The contract refuses `__proto__`, `constructor` and `prototype` wherever a client's string becomes an id or a key (issue 12). */
describe('reserved names are never ids', () => {
  const RESERVED = ['__proto__', 'constructor', 'prototype'];
  const messages = (r: { success: boolean; error?: z.ZodError }) =>
    (r.error?.issues ?? []).map((i) => `${i.path.join('.')}: ${i.message}`);

  it('safeId refuses each with a message that says why, and takes anything else', () => {
    for (const r of RESERVED) {
      expect(isReservedId(r)).toBe(true);
      expect(messages(safeId.safeParse(r))).toEqual([`: ${RESERVED_ID_MESSAGE}`]);
    }
    for (const ok of ['page-1', 'toString', '__proto', 'Constructor', 'prototypes'])
      expect(safeId.safeParse(ok).success).toBe(true);
  });

  it('refuses the attack of issue 12 as sent, naming the field', () => {
    const attack = {
      type: 'update',
      opId: 'op-attack-1',
      page: 'page-1',
      elementId: '__proto__',
      patch: { colour: '#ff0000' },
    };
    expect(messages(whiteboardSchemas[WhiteboardEvents.op].safeParse(attack))).toEqual([
      `elementId: ${RESERVED_ID_MESSAGE}`,
    ]);
  });

  it.each(RESERVED)(
    'refuses %s as the op id, page or element id of every whiteboard op, and as the followed page',
    (r) => {
      const ops = [
        {
          type: 'add',
          opId: 'op-aaaa-1',
          page: 'page-1',
          elementId: r,
          element: { kind: 'text', colour: '#000000', size: 16, at: [1, 1], text: 'x' },
        },
        {
          type: 'add',
          opId: 'op-aaaa-1',
          page: r,
          elementId: 'el-1111',
          element: { kind: 'text', colour: '#000000', size: 16, at: [1, 1], text: 'x' },
        },
        { type: 'append', opId: 'op-aaaa-1', page: 'page-1', elementId: r, points: [[1, 1]] },
        { type: 'update', opId: 'op-aaaa-1', page: r, elementId: 'el-1111', patch: { colour: '#ff0000' } },
        { type: 'delete', opId: 'op-aaaa-1', page: 'page-1', elementId: r },
        { type: 'clear-page', opId: 'op-aaaa-1', page: r },
        { type: 'add-page', opId: 'op-aaaa-1', page: r },
        { type: 'undo', opId: r },
        { type: 'redo', opId: r },
      ];
      for (const op of ops) {
        const result = opSchema.safeParse(op);
        expect(result.success).toBe(false);
        expect(messages(result).join('; ')).toContain(RESERVED_ID_MESSAGE);
        // The same op with an ordinary id passes: it is the name that is refused.
        expect(opSchema.safeParse(JSON.parse(JSON.stringify(op).replaceAll(`"${r}"`, '"ordinary-id"'))).success).toBe(
          true,
        );
      }
      expect(
        whiteboardSchemas[WhiteboardEvents.follow].safeParse({ page: r, x: 0, y: 0, zoom: 1, locked: false }).success,
      ).toBe(false);
    },
  );

  it('refuses a patch or an element carrying an own "__proto__" key (as JSON.parse makes it)', () => {
    const op = JSON.parse(
      '{"type":"update","opId":"op-aaaa-1","page":"page-1","elementId":"el-1111","patch":{"colour":"#00ff00","__proto__":{"colour":"#ff0000"}}}',
    );
    expect(opSchema.safeParse(op).success).toBe(false);
    const add = JSON.parse(
      '{"type":"add","opId":"op-aaaa-1","page":"page-1","elementId":"el-1111","element":{"kind":"text","colour":"#000000","size":16,"at":[1,1],"text":"x","__proto__":{"colour":"#ff0000"}}}',
    );
    expect(opSchema.safeParse(add).success).toBe(false);
    expect(({} as Record<string, unknown>)['colour']).toBeUndefined();
  });

  it('keeps reserved names out of codec parameters (mediasoup parameters are keyed by name)', () => {
    const caps = (parameters: unknown) => ({
      codecs: [{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000, parameters }],
    });
    for (const r of ['constructor', 'prototype']) {
      const result = rtpCapabilitiesSchema.safeParse(caps(JSON.parse(`{"${r}": 1, "x-google-start-bitrate": 1000}`)));
      expect(messages(result)).toEqual([`codecs.0.parameters.${r}: Invalid key in record`]);
    }
    // zod itself drops an own "__proto__" key from a record's output: it never becomes the result's prototype.
    const parsed = rtpCapabilitiesSchema.parse(caps(JSON.parse('{"__proto__": {"colour": "#ff0000"}, "apt": 96}')));
    const params = parsed.codecs[0].parameters!;
    expect(Object.keys(params)).toEqual(['apt']);
    expect(Object.getPrototypeOf(params)).toBe(Object.prototype);
    expect(rtpCapabilitiesSchema.safeParse(caps({ 'x-google-start-bitrate': 1000, apt: 96 })).success).toBe(true);
  });
});
