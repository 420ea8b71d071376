import { describe, expect, it } from 'vitest';
import { KeyPress, shortcutFor } from './room-shortcuts';

const press = (key: string, mods: Partial<KeyPress> = {}): KeyPress => ({
  key,
  code: /^[a-z]$/i.test(key) ? `Key${key.toUpperCase()}` : '',
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  shiftKey: false,
  typing: false,
  ...mods,
});

describe('room shortcuts', () => {
  it('maps the Meet/BBB keys with Ctrl or Cmd', () => {
    expect(shortcutFor(press('d', { ctrlKey: true }))).toBe('mic');
    expect(shortcutFor(press('d', { metaKey: true }))).toBe('mic');
    expect(shortcutFor(press('e', { ctrlKey: true }))).toBe('camera');
    expect(shortcutFor(press('h', { ctrlKey: true, altKey: true }))).toBe('hand');
    expect(shortcutFor(press('z', { ctrlKey: true }))).toBe('undo');
    expect(shortcutFor(press('Z', { ctrlKey: true, shiftKey: true }))).toBe('redo');
    expect(shortcutFor(press('y', { ctrlKey: true }))).toBe('redo');
    expect(shortcutFor(press('?', { shiftKey: true }))).toBe('help');
  });

  it('reads the physical key when Alt changes the character (⌥H on a Mac types ˙)', () => {
    expect(shortcutFor({ ...press('˙', { metaKey: true, altKey: true }), code: 'KeyH' })).toBe('hand');
  });

  it('leaves plain letters, ? and undo to a text field, but mic and camera work everywhere', () => {
    expect(shortcutFor(press('d'))).toBeNull();
    expect(shortcutFor(press('?', { typing: true }))).toBeNull();
    expect(shortcutFor(press('z', { ctrlKey: true, typing: true }))).toBeNull();
    expect(shortcutFor(press('d', { ctrlKey: true, typing: true }))).toBe('mic');
    expect(shortcutFor(press('h', { altKey: true }))).toBeNull();
    expect(shortcutFor(press('x', { ctrlKey: true }))).toBeNull();
  });
});
