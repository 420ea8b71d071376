import { describe, expect, it } from 'vitest';
import type { Page, StoredElement } from './board';
import { boundsOf, elementAt, hits, PointerInfo, PointerPolicy } from './geometry';

const stroke = (points: Array<[number, number]>, tool: 'pen' | 'eraser' = 'pen'): StoredElement => ({
  kind: 'stroke',
  tool,
  colour: '#000000',
  width: 4,
  points,
  author: 'u',
});
const shape = (
  tool: 'line' | 'arrow' | 'rectangle' | 'ellipse',
  from: [number, number],
  to: [number, number],
): StoredElement => ({ kind: 'shape', tool, colour: '#000000', width: 2, from, to, author: 'u' });

describe('whiteboard hit testing', () => {
  it('hits a stroke near its ink and misses it away from it', () => {
    const s = stroke([
      [0, 0],
      [100, 0],
      [100, 100],
    ]);
    expect(hits(s, [50, 3], 2)).toBe(true);
    expect(hits(s, [103, 60], 2)).toBe(true);
    expect(hits(s, [50, 50], 2)).toBe(false); // inside the corner, far from both segments
    expect(hits(stroke([[10, 10]]), [12, 11], 2)).toBe(true);
    expect(
      hits(
        stroke(
          [
            [0, 0],
            [100, 0],
          ],
          'eraser',
        ),
        [50, 0],
        5,
      ),
    ).toBe(false);
  });

  it('hits shapes on their outline, not inside a rectangle or ellipse', () => {
    expect(hits(shape('rectangle', [0, 0], [100, 50]), [100, 25], 3)).toBe(true);
    expect(hits(shape('rectangle', [0, 0], [100, 50]), [50, 25], 3)).toBe(false);
    expect(hits(shape('ellipse', [0, 0], [200, 100]), [200, 50], 3)).toBe(true);
    expect(hits(shape('ellipse', [0, 0], [200, 100]), [100, 0], 3)).toBe(true);
    expect(hits(shape('ellipse', [0, 0], [200, 100]), [100, 50], 3)).toBe(false);
    expect(hits(shape('arrow', [0, 0], [100, 100]), [50, 51], 3)).toBe(true);
  });

  it('hits text inside its box and gives the box of each kind', () => {
    const t: StoredElement = {
      kind: 'text',
      colour: '#000000',
      size: 20,
      at: [10, 10],
      text: 'hello\nworld!',
      author: 'u',
    };
    expect(boundsOf(t)).toEqual({ x: 10, y: 10, w: 72, h: 48 });
    expect(hits(t, [40, 50], 0)).toBe(true);
    expect(hits(t, [90, 50], 0)).toBe(false);
    expect(
      boundsOf(
        stroke([
          [0, 0],
          [10, 20],
        ]),
      ),
    ).toEqual({ x: -2, y: -2, w: 14, h: 24 });
  });

  it('picks the topmost element under the pointer', () => {
    const page: Page = {
      id: 'page-1',
      title: '',
      order: ['a', 'b'],
      elements: new Map([
        [
          'a',
          stroke([
            [0, 0],
            [100, 0],
          ]),
        ],
        ['b', shape('line', [50, -50], [50, 50])],
      ]),
    };
    expect(elementAt(page, [50, 0], 3)).toBe('b');
    expect(elementAt(page, [10, 0], 3)).toBe('a');
    expect(elementAt(page, [10, 40], 3)).toBeNull();
    expect(elementAt(undefined, [0, 0], 3)).toBeNull();
  });
});

describe('palm rejection', () => {
  const ev = (pointerId: number, pointerType: string, timeStamp: number, size = 1): PointerInfo => ({
    pointerId,
    pointerType,
    timeStamp,
    width: size,
    height: size,
  });

  it('ignores touches while a pen is in use, and lets fingers draw once the pen has been quiet', () => {
    const p = new PointerPolicy(1000, 40);
    expect(p.down(ev(1, 'pen', 0))).toBe(true);
    expect(p.down(ev(2, 'touch', 10, 20))).toBe(false); // the palm landing during the stroke
    expect(p.owns(ev(2, 'touch', 20))).toBe(false);
    expect(p.owns(ev(1, 'pen', 500))).toBe(true);
    expect(p.release(ev(1, 'pen', 600))).toBe(true);
    expect(p.down(ev(3, 'touch', 900, 10))).toBe(false); // pen lifted 300 ms ago: still the palm
    expect(p.down(ev(4, 'touch', 2000, 10))).toBe(true); // pen put away: a finger draws
  });

  it('rejects wide contacts and a second pointer while one is drawing', () => {
    const p = new PointerPolicy(1000, 40);
    expect(p.down(ev(1, 'touch', 0, 80))).toBe(false);
    expect(p.down(ev(2, 'touch', 0, 12))).toBe(true);
    expect(p.down(ev(3, 'touch', 5, 12))).toBe(false);
    expect(p.down(ev(4, 'mouse', 6))).toBe(false);
    expect(p.release(ev(3, 'touch', 7))).toBe(false);
    expect(p.release(ev(2, 'touch', 8))).toBe(true);
    expect(p.down(ev(4, 'mouse', 9))).toBe(true);
  });
});
