import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, effect, ElementRef, inject, input, OnInit, signal, viewChild } from '@angular/core';
import { RouterLink } from '@angular/router';
import { ClientEvents, MAX_CHAT_LENGTH } from '@contracts/realtime';
import { ROLE_LABELS } from '../../core/api-error';
import { RoomSocket } from '../../core/room-socket.service';
import { WhiteboardComponent } from '../whiteboard/whiteboard.component';

/** The live classroom: participants (hands, teacher controls), chat, the connection state. Video tiles come with the media work. */
@Component({
  selector: 'app-room',
  imports: [DatePipe, RouterLink, WhiteboardComponent],
  providers: [RoomSocket],
  templateUrl: './room.component.html',
  styleUrl: './room.component.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class RoomComponent implements OnInit {
  readonly sessionId = input.required<string>();
  protected readonly room = inject(RoomSocket);
  protected readonly roleLabels = ROLE_LABELS;
  protected readonly maxChat = MAX_CHAT_LENGTH;
  protected readonly panel = signal<'people' | 'chat'>('chat');
  protected readonly draft = signal('');
  protected readonly canTeach = computed(() => this.room.me()?.canTeach ?? false);
  protected readonly myHand = computed(() => this.room.participants().find((p) => p.userId === this.room.me()?.userId)?.handRaised ?? false);
  private readonly chatList = viewChild<ElementRef<HTMLElement>>('chatList');

  constructor() {
    effect(() => {
      this.room.chat();
      const el = this.chatList()?.nativeElement;
      if (el) queueMicrotask(() => (el.scrollTop = el.scrollHeight));
    });
  }

  ngOnInit(): void {
    this.room.connect(this.sessionId());
  }

  send(event: Event) {
    event.preventDefault();
    const text = this.draft().trim();
    if (!text) return;
    this.room.sendChat(text.slice(0, MAX_CHAT_LENGTH));
    this.draft.set('');
  }

  toggleHand() {
    void this.room.act(ClientEvents.hand, { raised: !this.myHand() });
  }

  mute(userId: string) {
    void this.room.act(ClientEvents.teacherMute, { userId });
  }

  stopCamera(userId: string) {
    void this.room.act(ClientEvents.teacherStopCamera, { userId });
  }

  remove(userId: string) {
    void this.room.act(ClientEvents.teacherRemove, { userId });
  }

  deleteMessage(messageId: string) {
    void this.room.act(ClientEvents.chatDelete, { messageId });
  }

  endClass() {
    void this.room.act(ClientEvents.teacherEndClass, {});
  }

  initials(name: string) {
    return name
      .split(/\s+/)
      .map((w) => w[0])
      .join('')
      .slice(0, 2)
      .toUpperCase();
  }
}
