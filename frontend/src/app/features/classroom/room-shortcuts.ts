/**
 * The room's keyboard shortcuts, as Google Meet and BigBlueButton users know them: Ctrl+D (⌘D on a
 * Mac) microphone, Ctrl+E (⌘E) camera, Ctrl+Alt+H raise or lower the hand, Ctrl+Z / Ctrl+Shift+Z
 * (Ctrl+Y) undo and redo on the board, ? this list. Pure: the room maps the action to what it does.
 */
export type ShortcutAction = 'mic' | 'camera' | 'hand' | 'undo' | 'redo' | 'help';

export interface KeyPress {
  key: string;
  /** Physical key (KeyD...): Alt changes `key` on a Mac keyboard (⌥H types ˙). */
  code: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
  /** Focus is in a text field: plain keys and undo belong to it. */
  typing: boolean;
}

export interface Shortcut {
  keys: string;
  action: ShortcutAction;
  what: string;
}

/** What the help dialog lists (for the Mac, ⌘ stands for Ctrl). */
export const SHORTCUTS: readonly Shortcut[] = [
  { keys: 'Ctrl + D', action: 'mic', what: 'Turn your microphone on or off' },
  { keys: 'Ctrl + E', action: 'camera', what: 'Turn your camera on or off' },
  { keys: 'Ctrl + Alt + H', action: 'hand', what: 'Raise or lower your hand (students)' },
  { keys: 'Ctrl + Z', action: 'undo', what: 'Undo your last drawing on the board' },
  { keys: 'Ctrl + Shift + Z  or  Ctrl + Y', action: 'redo', what: 'Redo on the board' },
  { keys: '?', action: 'help', what: 'Show this list' },
];

const letter = (k: KeyPress) => (k.code.startsWith('Key') ? k.code.slice(3).toLowerCase() : k.key.toLowerCase());

export function shortcutFor(k: KeyPress): ShortcutAction | null {
  const mod = k.ctrlKey || k.metaKey;
  if (!mod) return !k.typing && k.key === '?' && !k.altKey ? 'help' : null;
  const l = letter(k);
  if (k.altKey) return l === 'h' && !k.shiftKey ? 'hand' : null;
  if (l === 'd' && !k.shiftKey) return 'mic';
  if (l === 'e' && !k.shiftKey) return 'camera';
  // In a text field, undo and redo are the field's own.
  if (k.typing) return null;
  if (l === 'z') return k.shiftKey ? 'redo' : 'undo';
  if (l === 'y' && !k.shiftKey) return 'redo';
  return null;
}

/** Whether an element takes typed text (then plain keys and undo are its own). */
export function isTextField(el: Element | null): boolean {
  if (!el) return false;
  const tag = el.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT') {
    const type = (el as HTMLInputElement).type;
    return !['button', 'checkbox', 'radio', 'range', 'submit', 'reset', 'color', 'file'].includes(type);
  }
  return (el as HTMLElement).isContentEditable === true;
}
