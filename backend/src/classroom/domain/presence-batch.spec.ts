import { describe, expect, it } from 'vitest';
import type { Participant } from '../../contracts/realtime';
import { batchesChange, PresenceBatch } from './presence-batch';

const person = (userId: string, handRaised = false): Participant =>
  ({
    userId,
    name: userId,
    role: 'learner',
    joinedAt: '2026-12-04T10:00:00.000Z',
    handRaised,
  }) as unknown as Participant;

describe('PresenceBatch', () => {
  it('keeps only the latest change of each person, so a storm of arrivals is one entry per person', () => {
    const b = new PresenceBatch();
    for (let i = 0; i < 300; i++) b.add({ kind: 'present', participant: person(`u${i % 100}`, i >= 200) });
    expect(b.size).toBe(100);
    const { participants, left } = b.drain();
    expect(participants).toHaveLength(100);
    expect(participants.every((p) => (p as unknown as { handRaised: boolean }).handRaised)).toBe(true);
    expect(left).toEqual([]);
    expect(b.size).toBe(0);
  });

  it('a join then a leave is a leave; a leave then a join is a join', () => {
    const b = new PresenceBatch();
    b.add({ kind: 'present', participant: person('ada') });
    b.add({ kind: 'gone', userId: 'ada' });
    b.add({ kind: 'gone', userId: 'bob' });
    b.add({ kind: 'present', participant: person('bob') });
    const out = b.drain();
    expect(out.left).toEqual(['ada']);
    expect(out.participants.map((p) => p.userId)).toEqual(['bob']);
  });

  it('applied by upsert and removal, a batch gives the same list as the changes one by one', () => {
    const changes = [
      { kind: 'present' as const, participant: person('a') },
      { kind: 'present' as const, participant: person('b') },
      { kind: 'gone' as const, userId: 'a' },
      { kind: 'present' as const, participant: person('c') },
      { kind: 'present' as const, participant: person('b', true) },
      { kind: 'gone' as const, userId: 'x' },
      { kind: 'present' as const, participant: person('a') },
    ];
    const apply = (list: Participant[], c: (typeof changes)[number]) =>
      c.kind === 'present'
        ? [...list.filter((p) => p.userId !== c.participant.userId), c.participant]
        : list.filter((p) => p.userId !== c.userId);
    const start = [person('x'), person('y')];
    const oneByOne = changes.reduce(apply, start);
    const b = new PresenceBatch();
    for (const c of changes) b.add(c);
    const { participants, left } = b.drain();
    const batched = [...start.filter((p) => !left.includes(p.userId)), ...participants].reduce<Participant[]>(
      (l, p) => [...l.filter((q) => q.userId !== p.userId), p],
      [],
    );
    const key = (l: Participant[]) => l.map((p) => JSON.stringify(p)).sort();
    expect(key(batched)).toEqual(key(oneByOne));
  });
});

describe('batchesChange', () => {
  it('batches from the threshold on, never at 0, and always while a batch is open', () => {
    expect(batchesChange(39, 40, false)).toBe(false);
    expect(batchesChange(40, 40, false)).toBe(true);
    expect(batchesChange(5000, 0, false)).toBe(false);
    expect(batchesChange(2, 40, true)).toBe(true);
  });
});
