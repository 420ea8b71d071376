import { Controller, Get, Param, ParseUUIDPipe, Post, UseGuards } from '@nestjs/common';
import { AdminGuard } from '../admin/admin.guard';
import { MediaHosts } from './media-hosts.service';

/**
 * The operator's view of the media hosts (`Authorization: Bearer <ADMIN_TOKEN>`): their load and state;
 * cordon (no new classes, those it has finish), drain (its classes move now; people rejoin by
 * themselves) and back to active. Any instance answers: the state is kept in Redis and read by the host.
 */
@Controller('api/admin/media-hosts')
@UseGuards(AdminGuard)
export class MediaHostsController {
  constructor(private readonly hosts: MediaHosts) {}

  @Get()
  async list() {
    return { hosts: await this.hosts.list() };
  }

  @Post(':id/cordon')
  cordon(@Param('id', new ParseUUIDPipe()) id: string) {
    return this.hosts.setState(id, 'cordoned');
  }

  @Post(':id/drain')
  drain(@Param('id', new ParseUUIDPipe()) id: string) {
    return this.hosts.setState(id, 'draining');
  }

  @Post(':id/activate')
  activate(@Param('id', new ParseUUIDPipe()) id: string) {
    return this.hosts.setState(id, 'active');
  }
}
