import type { Browser, Frame } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, TestApp } from '../backend/src/testing/test-app';
import { waitFor } from '../backend/src/testing/wait-for';
import { frameAt, launchChromium } from './browser';

const names = async (room: Frame) =>
  (await room.locator('[data-testid=participants] li').allTextContents()).map((t) => t.trim());

describe('the live room in Chromium: two people, chat both ways, a raised hand', () => {
  let t: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    t = await startTestApp();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('instructor and student meet in the room', async () => {
    const teacherCtx = await browser.newContext();
    const teacherPage = await teacherCtx.newPage();
    await teacherPage.goto(`${t.platformUrl}/?course=phys-101`);
    await teacherPage.click('#launch-instructor');
    const lobby = await frameAt(teacherPage, '/lobby');
    await lobby.getByTestId('start-class').click();
    const teacherRoom = await frameAt(teacherPage, '/room/');
    await teacherRoom.getByTestId('connection').filter({ hasText: 'Live' }).waitFor({ timeout: 15_000 });

    // The student is on a phone-width screen.
    const studentCtx = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const studentPage = await studentCtx.newPage();
    await studentPage.goto(`${t.platformUrl}/?course=phys-101`);
    await studentPage.click('#launch-student');
    const sLobby = await frameAt(studentPage, '/lobby');
    await sLobby.getByTestId('enter-class').click();
    const studentRoom = await frameAt(studentPage, '/room/');
    await studentRoom.getByTestId('connection').filter({ hasText: 'Live' }).waitFor({ timeout: 15_000 });

    await waitFor(
      async () => (await names(teacherRoom)).some((n) => n.includes('Grace Hopper')),
      'the teacher to see the student',
    );
    await studentRoom.getByTestId('tab-people').click();
    await waitFor(
      async () => (await names(studentRoom)).some((n) => n.includes('Ada Lovelace')),
      'the student to see the teacher',
    );

    await studentRoom.getByTestId('tab-chat').click();
    await studentRoom.getByTestId('chat-input').fill('Good morning! <script>alert(1)</script>');
    await studentRoom.getByTestId('chat-send').click();
    await teacherRoom
      .locator('[data-testid=chat-messages] li', { hasText: 'Good morning!' })
      .waitFor({ timeout: 10_000 });
    // Shown as text, never as HTML.
    expect(await teacherRoom.locator('[data-testid=chat-messages] li .text').last().textContent()).toBe(
      'Good morning! <script>alert(1)</script>',
    );
    expect(await teacherRoom.locator('[data-testid=chat-messages] script').count()).toBe(0);

    await teacherRoom.getByTestId('chat-input').fill('Welcome, Grace');
    await teacherRoom.getByTestId('chat-send').click();
    await studentRoom
      .locator('[data-testid=chat-messages] li', { hasText: 'Welcome, Grace' })
      .waitFor({ timeout: 10_000 });

    await studentRoom.getByTestId('raise-hand').click();
    await teacherRoom.getByTestId('raised-hands').filter({ hasText: 'Grace Hopper' }).waitFor({ timeout: 10_000 });
    expect(await teacherRoom.locator('[data-participant="Grace Hopper"] [data-testid=hand]').count()).toBe(1);

    // The whiteboard: the teacher draws a stroke; the student sees it; the teacher adds page 2 and the student follows.
    const board = teacherRoom.getByTestId('whiteboard');
    const box = (await board.boundingBox())!;
    await teacherPage.mouse.move(box.x + 40, box.y + 40);
    await teacherPage.mouse.down();
    for (let i = 1; i <= 12; i++) await teacherPage.mouse.move(box.x + 40 + i * 15, box.y + 40 + i * 8);
    await teacherPage.mouse.up();
    const studentBoard = studentRoom.getByTestId('whiteboard');
    await waitFor(
      async () => (await studentBoard.getAttribute('data-elements')) === '1',
      "the stroke on the student's board",
    );

    // Select and move: the teacher picks the stroke up by its middle and drags it; the student sees it move.
    const [x0, y0] = (await studentBoard.getAttribute('data-extent'))!.split(',').map(Number);
    await teacherRoom.locator('[data-tool=select]').click();
    await teacherPage.mouse.move(box.x + 40 + 6 * 15, box.y + 40 + 6 * 8);
    await teacherPage.mouse.down();
    for (let i = 1; i <= 5; i++) await teacherPage.mouse.move(box.x + 130 + i * 20, box.y + 88 + i * 10);
    await teacherPage.mouse.up();
    expect(await board.getAttribute('data-selected')).toMatch(/^pen-/);
    const scale = 1600 / box.width;
    await waitFor(
      async () => (await studentBoard.getAttribute('data-extent')) !== `${x0},${y0}`,
      "the moved stroke on the student's board",
    );
    const [x1, y1] = (await studentBoard.getAttribute('data-extent'))!.split(',').map(Number);
    expect(Math.abs(x1 - x0 - 100 * scale)).toBeLessThan(3);
    expect(Math.abs(y1 - y0 - 50 * scale)).toBeLessThan(3);
    // Delete it with the keyboard; undo brings it back for everyone.
    await board.press('Delete');
    await waitFor(
      async () => (await studentBoard.getAttribute('data-elements')) === '0',
      "the deleted stroke gone from the student's board",
    );
    await teacherRoom.getByTestId('wb-undo').click();
    await waitFor(
      async () => (await studentBoard.getAttribute('data-elements')) === '1',
      "the undone delete on the student's board",
    );
    expect(await studentBoard.getAttribute('data-extent')).toBe(`${x1},${y1}`);
    await teacherRoom.getByTestId('wb-add-page').click();
    await waitFor(
      async () => (await studentBoard.getAttribute('data-page')) !== 'page-1',
      'the student following the teacher to page 2',
    );
    expect(await studentBoard.getAttribute('data-elements')).toBe('0');
    expect(await studentRoom.locator('.pages .page').count()).toBe(2);

    await studentPage.screenshot({ path: '.cache/room-phone.png' });
    await teacherPage.screenshot({ path: '.cache/room-laptop.png' });

    // After class the board stays, read-only: the student opens it from the lobby.
    await teacherRoom.getByTestId('end-class').click();
    await teacherRoom.getByTestId('end-for-everyone').click(); // End class asks first
    await studentRoom.getByTestId('room-ended').waitFor({ timeout: 10_000 });
    await studentRoom.locator('a', { hasText: 'Back to the lobby' }).click();
    const after = await frameAt(studentPage, '/lobby');
    await after.getByTestId('past-boards').locator('a').first().click({ timeout: 15_000 });
    const saved = await frameAt(studentPage, '/board/');
    await saved.getByTestId('saved-page').first().waitFor({ timeout: 10_000 });
    expect(await saved.getByTestId('saved-page').count()).toBe(2);
    await teacherCtx.close();
    await studentCtx.close();
  });
});
